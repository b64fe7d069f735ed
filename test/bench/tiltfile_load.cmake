# Root Tiltfile load in the harness, 12 vs 100 components (tiltfile_load_bench.py); the smoke mode
# runs one round of each and still fails on super-linear growth or a second plan run per load.
add_test(NAME bench_tiltfile_load_smoke
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/tiltfile_load_bench.py --smoke
          --bin-dir $<TARGET_FILE_DIR:tilt-values-parity> --tilt-eval ${PROJECT_SOURCE_DIR}/test/tiltfile/tilt-eval)
set_tests_properties(bench_tiltfile_load_smoke PROPERTIES
  LABELS "bench;bench-smoke" FIXTURES_REQUIRED tilteval_bin TIMEOUT 300
  ENVIRONMENT "TILT_EVAL_BIN_DIR=${CMAKE_BINARY_DIR}/test/tiltfile/tilt-eval-bin;GOCACHE=${CMAKE_BINARY_DIR}/test/tiltfile/gocache")
