// presend_report_render IN.json FORMAT OUT: renders a report model to a file
// ("-" for standard output). For the browser tests and for looking at a
// rendering by hand.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>

#include "report/render.hpp"

int main(int argc, char **argv) {
    if (argc != 4) {
        std::cerr << "usage: presend_report_render IN.json html|json|csv|md OUT\n";
        return 2;
    }
    std::ifstream in(argv[1], std::ios::binary);
    if (!in) {
        std::cerr << "presend_report_render: cannot read " << argv[1] << "\n";
        return 1;
    }
    std::string model((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto format = presend::report::parse_format(argv[2]);
    if (!format) {
        std::cerr << "presend_report_render: " << format.error().message << "\n";
        return 2;
    }
    auto out = presend::report::render(model, *format);
    if (!out) {
        std::cerr << "presend_report_render: " << out.error().message << " (status "
                  << static_cast<int>(out.error().status) << ")\n";
        return 1;
    }
    if (std::string(argv[3]) == "-") {
        std::cout << *out;
        return std::cout.good() ? 0 : 1;
    }
    std::ofstream file(argv[3], std::ios::binary | std::ios::trunc);
    file << *out;
    file.close();
    if (!file) {
        std::cerr << "presend_report_render: cannot write " << argv[3] << "\n";
        return 1;
    }
    return 0;
}
