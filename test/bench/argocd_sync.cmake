# tilt-argocd-sync pause/resume vs the seed's sequential kubectl patches; smoke mode for CI.
add_test(NAME argocd_sync_bench_smoke
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/argocd_sync_bench.py --smoke --bin $<TARGET_FILE:tilt-argocd-sync>)
set_tests_properties(argocd_sync_bench_smoke PROPERTIES LABELS bench-smoke TIMEOUT 120)
