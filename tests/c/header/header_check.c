/* The header in every language mode: scripts/test-c.sh compiles this file as C99, C11, C++11
 * and C++17 with -Wall -Wextra -Werror -pedantic -Wundef -Wshadow (plus -Wstrict-prototypes
 * for C, -Wold-style-cast -Wzero-as-null-pointer-constant for C++), with gcc/g++ and
 * clang/clang++ where installed, then links the C++17 build against the installed shared
 * library and runs it. Valid C and C++ alike. */
#include <leadcore.h>
#include <leadcore.h> /* the include guard */
#include <stdio.h>

#if !defined(LEADCORE_VERSION_NUMBER) || !defined(LEADCORE_ABI_VERSION)
#error "version macros missing"
#endif
#if LEADCORE_VERSION_NUMBER != \
    LEADCORE_VERSION_MAJOR * 10000 + LEADCORE_VERSION_MINOR * 100 + LEADCORE_VERSION_PATCH
#error "LEADCORE_VERSION_NUMBER is not MAJOR * 10000 + MINOR * 100 + PATCH"
#endif

typedef struct {
    leadcore_buf out;
    int count;
} holder;

static leadcore_buf empty(void) {
    leadcore_buf b = LEADCORE_BUF_INIT;
    return b;
}

int main(void) {
    leadcore_buf one = LEADCORE_BUF_INIT;
    leadcore_buf two[2] = {LEADCORE_BUF_INIT, LEADCORE_BUF_INIT};
    holder h = {LEADCORE_BUF_INIT, 0};
    leadcore_buf three = empty();
    struct ArrowArrayStream *stream = NULL;
    leadcore_status ok = LEADCORE_OK;
    int failures = 0;

    if (one.data != NULL || one.len != 0 || two[1].data != NULL || h.out.len != 0) failures++;
    if (three.data != NULL || stream != NULL || ok != 0) failures++;
    if (leadcore_version_number() != LEADCORE_VERSION_NUMBER) failures++;
    leadcore_buf_free(&one);
    leadcore_buf_free(&two[0]);
    leadcore_buf_free(&h.out);
    leadcore_buf_free(&three);
    leadcore_buf_free(NULL);
    leadcore_playbook_free(NULL);
    leadcore_error_free(NULL);
    printf("header check: leadcore %s, header %d, %d failed\n", leadcore_version(),
           LEADCORE_VERSION_NUMBER, failures);
    return failures != 0;
}
