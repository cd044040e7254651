# Included by parlab_lab_variant (cmake/ParlabLabs.cmake) after lab 07's programs are made.
# shmnames checks every claim it prints; the test also checks from outside what it leaves in
# /dev/shm, and that a killed creator's segment stays there until it is unlinked.
add_test(NAME lab07.shmnames COMMAND "${CMAKE_CURRENT_LIST_DIR}/shmnames-test.sh" "$<TARGET_FILE:${prefix}_shmnames>")
set_tests_properties(lab07.shmnames PROPERTIES LABELS e2e TIMEOUT 60)
