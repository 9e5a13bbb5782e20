// korderctl: inspect korder quotas and ask the quota service what it would admit.

#include "commands.h"

int main(int argc, char** argv) { return korder::ctl::korderctl_main(argc, argv); }
