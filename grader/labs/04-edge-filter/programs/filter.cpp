// You do not need to modify this file.
// The filter program: applies the lab's filter to an image file.
//   parlab_lab04_filter INPUT OUTPUT --kernel NAME|k1,...,k9 [--workers N]
// Exit status: 0 done, 1 a file could not be read or written, 2 a usage mistake.

#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "filter.hpp"

int main(int argc, char** argv) {
    try {
        const std::vector<std::string> args(argv + 1, argv + argc);
        return parlab::lab04::run_filter_cli(args, std::cerr);
    } catch (const std::exception& e) {
        std::cerr << "filter: " << e.what() << "\n";
        return 1;
    }
}
