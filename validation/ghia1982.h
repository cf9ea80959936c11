/* ghia1982.h: the lid-driven cavity's centreline velocities of Ghia, Ghia & Shin (1982). */
#ifndef FC_GHIA1982_H
#define FC_GHIA1982_H

#define GHIA1982_N 17
#define GHIA1982_NRE 5

/* Reynolds numbers of the columns: 100, 400, 1000, 3200, 5000. */
extern const double ghia1982_re[GHIA1982_NRE];
/* u(0.5, y) at ghia1982_y and v(x, 0.5) at ghia1982_x, per Reynolds number. */
extern const double ghia1982_y[GHIA1982_N];
extern const double ghia1982_u[GHIA1982_NRE][GHIA1982_N];
extern const double ghia1982_x[GHIA1982_N];
extern const double ghia1982_v[GHIA1982_NRE][GHIA1982_N];
/* Whether point k of column re is a known misprint, left out of error norms. */
int ghia1982_misprint_u(int re, int k);
int ghia1982_misprint_v(int re, int k);

#endif
