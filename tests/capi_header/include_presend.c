/* Includes nothing but the public header. tests/sdk.cmake compiles this file
 * as C99 and as C++ with -pedantic -Werror: presend.h must stand alone and
 * stay clean under the strict flags a user may build with. */
#include <presend/presend.h>
#include <presend/presend.h> /* the include guard holds */

int main(void) {
    presend_engine_options options;
    presend_engine_options_init(&options);
    return options.struct_size == sizeof options && PRESEND_MESSAGE_LEVEL > PRESEND_MAX_RECIPIENTS_PARSED ? 0 : 1;
}
