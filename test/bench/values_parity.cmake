add_executable(values_parity_bench ${CMAKE_CURRENT_LIST_DIR}/values_parity_bench.cpp)
target_link_libraries(values_parity_bench PRIVATE ath_values_parity ath_core)
set_target_properties(values_parity_bench PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
add_test(NAME bench_values_parity_smoke
  COMMAND ${CMAKE_CURRENT_LIST_DIR}/values_parity.sh $<TARGET_FILE:values_parity_bench> ${PROJECT_SOURCE_DIR}/values --smoke)
set_tests_properties(bench_values_parity_smoke PROPERTIES LABELS bench-smoke TIMEOUT 300)
