#pragma once
// The I/O of isolated mode: the apply of `<release>-tilt` (no adoption, distinct names checked
// before anything is written, the namespace created and labelled when missing) and its tear-down
// (only a release whose helm record carries Tilt's labels for this user). Decisions:
// isolated_release.hpp.
#include "release_commands.hpp"

namespace ath::helm_apply {

int run_isolated_apply(const ApplyOptions& o, const CommonOptions& common, const Getenv& getenv);
int run_isolated_delete(const DeleteOptions& o, const CommonOptions& common, const Getenv& getenv);

}  // namespace ath::helm_apply
