# tilt-helm-apply vs a plain `helm upgrade --install` (helm_apply_bench.py), helm 3 and 4; the
# smoke mode checks images and that a re-apply writes nothing beyond helm's own.
add_test(NAME bench_helm_apply_smoke
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/helm_apply_bench.py $<TARGET_FILE:tilt-helm-apply>
          ${HELM3_BIN} ${HELM4_BIN} --smoke)
set_tests_properties(bench_helm_apply_smoke PROPERTIES LABELS bench-smoke TIMEOUT 600)
