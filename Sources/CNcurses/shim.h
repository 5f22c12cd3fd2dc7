#ifndef SC2_CNCURSES_SHIM_H
#define SC2_CNCURSES_SHIM_H
#define NCURSES_WIDECHAR 1
#define _XOPEN_SOURCE_EXTENDED 1
#include <locale.h>
#include <langinfo.h>
#include <wchar.h>
#include <ncursesw/ncurses.h>

/* Macros Swift cannot import, re-exported as inline functions. */
static inline attr_t sc2_A_BOLD(void) { return A_BOLD; }
static inline attr_t sc2_A_REVERSE(void) { return A_REVERSE; }
static inline attr_t sc2_A_DIM(void) { return A_DIM; }
static inline attr_t sc2_A_NORMAL(void) { return A_NORMAL; }
static inline int sc2_KEY_F(int n) { return KEY_F0 + n; }

/* Draw one wide character with an extended colour pair (pairs >= 256 need the opts pointer). */
static inline int sc2_put_wch(int y, int x, wchar_t ch, int pair, attr_t attrs) {
    cchar_t cc;
    wchar_t wstr[2] = { ch, 0 };
    int p = pair;
    if (setcchar(&cc, wstr, attrs, 0, &p) != OK) return ERR;
    return mvadd_wch(y, x, &cc);
}
static inline int sc2_getmaxy(void) { return getmaxy(stdscr); }
static inline int sc2_getmaxx(void) { return getmaxx(stdscr); }
static inline int sc2_set_attr(attr_t attrs, int pair) {
    int p = pair;
    return attr_set(attrs, 0, &p);
}
#endif
