# Included by parlab_lab_variant (cmake/ParlabLabs.cmake) after lab 06's programs are made.
# The demo's Gantt chart (gantt.hpp) has a unit test of its own, on spans made up in the test.
add_executable(${prefix}_gantt_test "${CMAKE_CURRENT_LIST_DIR}/tests/gantt-test.cpp")
target_link_libraries(${prefix}_gantt_test PRIVATE parlab::test_main parlab::warnings)
add_test(NAME ${prefix}.gantt COMMAND ${prefix}_gantt_test ${PARLAB_CATCH2_NO_TESTS})
set_tests_properties(${prefix}.gantt PROPERTIES LABELS e2e TIMEOUT 60)
