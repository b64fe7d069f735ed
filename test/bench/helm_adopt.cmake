# tilt-helm-adopt vs the seed's kubectl-per-step script (helm_adopt_bench.py); the smoke mode
# checks that both adopt the same objects and that the rerun writes nothing.
add_test(NAME bench_helm_adopt_smoke
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/helm_adopt_bench.py $<TARGET_FILE:tilt-helm-adopt> --smoke)
set_tests_properties(bench_helm_adopt_smoke PROPERTIES LABELS bench-smoke TIMEOUT 300)
