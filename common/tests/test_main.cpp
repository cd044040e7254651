// main() for the kit's test programs. With Catch2 3.x, Catch2::Catch2WithMain provides it and
// this file is empty.
#if defined(PARLAB_CATCH2_OWN_MAIN)
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
#endif
