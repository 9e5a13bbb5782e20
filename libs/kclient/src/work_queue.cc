// Compiles the work queue and its rate limiters once for `Request` (what controllers enqueue),
// so the translation units of controllers do not each instantiate them.
#include "korder/kclient/work_queue.h"

namespace korder::kclient {

template class ItemExponentialFailureRateLimiter<Request>;
template class BucketRateLimiter<Request>;
template class MaxOfRateLimiter<Request>;
template class WorkQueue<Request>;

}  // namespace korder::kclient
