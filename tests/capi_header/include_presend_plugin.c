/* Includes nothing but the plugin header: a plugin's only presend include
 * must stand alone under -pedantic -Werror, as C99 and as C++. */
#include <presend/presend_plugin.h>
#include <presend/presend_plugin.h> /* the include guard holds */

int main(void) {
    presend_plugin_consent consent = {sizeof(presend_plugin_consent), 0, 0, 0, 0, -1, -1, -1, 0, 0, 0, 0};
    return consent.struct_size > 0 && PRESEND_PLUGIN_ABI_MIN <= PRESEND_PLUGIN_ABI_VERSION ? 0 : 1;
}
