# Included by parlab_lab_variant (cmake/ParlabLabs.cmake) after lab 04's programs are made.
# OpenCV is optional: when found, the bench also times cv::filter2D for comparison.
find_package(OpenCV QUIET COMPONENTS core imgproc)
if(OpenCV_FOUND)
    target_compile_definitions(${prefix}_bench PRIVATE PARLAB_HAVE_OPENCV)
    target_include_directories(${prefix}_bench SYSTEM PRIVATE ${OpenCV_INCLUDE_DIRS})
    target_link_libraries(${prefix}_bench PRIVATE opencv_core opencv_imgproc)
endif()
# The kit's tuned filter is the instructor's (solutions/ is not in the student edition): where it
# is, the bench also times it against cv::filter2D and the model answer.
set(tuned_dir "${CMAKE_SOURCE_DIR}/solutions/04-edge-filter/tuned")
if(EXISTS "${tuned_dir}/tuned_filter.cpp")
    target_sources(${prefix}_bench PRIVATE "${tuned_dir}/tuned_filter.cpp")
    target_include_directories(${prefix}_bench PRIVATE "${tuned_dir}")
    target_compile_definitions(${prefix}_bench PRIVATE PARLAB_HAVE_TUNED_FILTER)
endif()
