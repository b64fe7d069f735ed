add_executable(kube_transport_bench ${CMAKE_CURRENT_LIST_DIR}/kube_transport_bench.cpp)
target_link_libraries(kube_transport_bench PRIVATE ath_core)
set_target_properties(kube_transport_bench PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
add_test(NAME bench_kube_transport_smoke
  COMMAND ${CMAKE_CURRENT_LIST_DIR}/kube_transport_bench.sh $<TARGET_FILE:kube_transport_bench> --smoke)
set_tests_properties(bench_kube_transport_smoke PROPERTIES LABELS bench-smoke TIMEOUT 300)
