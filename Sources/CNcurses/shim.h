#ifndef SC2_CNCURSES_SHIM_H
#define SC2_CNCURSES_SHIM_H
#define NCURSES_WIDECHAR 1
#define _XOPEN_SOURCE_EXTENDED 1
#include <locale.h>
#include <langinfo.h>
#include <wchar.h>
#include <ncursesw/ncurses.h>
#include <sys/ioctl.h>
#include <fcntl.h>
#include <unistd.h>

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

/* The C streams, as functions: Swift 6 sees the globals `stdin`/`stdout` as shared mutable state. */
static inline FILE *sc2_stdin(void) { return stdin; }
static inline FILE *sc2_stdout(void) { return stdout; }

/* Added for TerminalUI: stdscr/global access and wide input/output without macros. */
static inline int sc2_colors(void) { return COLORS; }
static inline int sc2_color_pairs(void) { return COLOR_PAIRS; }
static inline attr_t sc2_A_UNDERLINE(void) { return A_UNDERLINE; }
static inline int sc2_KEY_CODE_YES(void) { return KEY_CODE_YES; }
static inline const char *sc2_codeset(void) { return nl_langinfo(CODESET); }
/* Whether the terminal can move the cursor (TERM=dumb cannot: a full-screen UI would scroll). */
static inline int sc2_can_address_cursor(void) {
    char *s = tigetstr("cup");
    return s != NULL && s != (char *)-1;
}
static inline int sc2_keypad(int on) { return keypad(stdscr, on ? TRUE : FALSE); }
static inline int sc2_erase(void) { return werase(stdscr); }
static inline int sc2_refresh(void) { return wrefresh(stdscr); }
/* wcwidth is X/Open; declare it in case the libc module was built without __USE_XOPEN. */
extern int wcwidth(wchar_t ch);
static inline int sc2_wcwidth(wchar_t ch) { return wcwidth(ch); }
/* Read one key within timeout_ms (< 0 blocks): returns OK, KEY_CODE_YES or ERR from wget_wch;
   *value receives the character or the key code. */
static inline int sc2_get_wch(int timeout_ms, unsigned int *value) {
    wint_t wc = 0;
    wtimeout(stdscr, timeout_ms);
    int rc = wget_wch(stdscr, &wc);
    *value = (unsigned int)wc;
    return rc;
}
/* Write n wide characters at (y, x) with attributes and an extended pair, then reset them. */
static inline int sc2_put_wstr(int y, int x, const wchar_t *s, int n, attr_t attrs, int pair) {
    int p = pair;
    wattr_set(stdscr, attrs, 0, &p);
    int rc = mvwaddnwstr(stdscr, y, x, s, n);
    p = 0;
    wattr_set(stdscr, A_NORMAL, 0, &p);
    return rc;
}
/* For the tests, which run a Screen on a pseudo-terminal: opens one of rows x columns cells
   (TIOCSWINSZ: ioctl is variadic, which Swift cannot call; posix_openpt and its kin are X/Open,
   outside what the Glibc module declares). Returns 0 with both descriptors, -1 on failure. */
extern int posix_openpt(int flags);
extern int grantpt(int fd);
extern int unlockpt(int fd);
extern char *ptsname(int fd);
static inline int sc2_open_pty(int rows, int columns, int *master, int *slave) {
    int m = posix_openpt(O_RDWR | O_NOCTTY);
    if (m < 0) return -1;
    char *name = (grantpt(m) == 0 && unlockpt(m) == 0) ? ptsname(m) : NULL;
    int s = name ? open(name, O_RDWR | O_NOCTTY) : -1;
    struct winsize ws = { (unsigned short)rows, (unsigned short)columns, 0, 0 };
    if (s < 0 || ioctl(s, TIOCSWINSZ, &ws) != 0) { close(m); if (s >= 0) close(s); return -1; }
    *master = m; *slave = s;
    return 0;
}
#endif
