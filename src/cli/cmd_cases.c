/* cmd_cases.c: `flowcast cases`: every solver, initial condition and case key, printed from the
 * same tables that validate case files. */
#include <fc_build.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/cli/cmd.h"
#include "src/core/config.h"
#include "src/core/solver.h"
#include "solvers/registry.h"

static void print_key(const fc_key *k)
{
    char range[128];
    fc_key_range(k, range, sizeof range);
    char kind[160];
    if (k->type == FC_KEY_CHOICE)
        snprintf(kind, sizeof kind, "one of %s", k->choices);
    else
        snprintf(kind, sizeof kind, "%s%s%s", fc_key_type_name(k->type), *range ? " " : "", range);
    printf("    %-22s %-32s %-10s %-12s %s\n", k->name, kind,
           *k->units && strcmp(k->units, "1") ? k->units : "-",
           k->def ? (*k->def ? k->def : "\"\"") : "(required)", k->help);
}

static void print_section(const fc_key *keys, size_t n, const char *section, const char *ic)
{
    for (size_t k = 0; k < n; k++)
        if (!strcmp(keys[k].section, section) &&
            (ic ? keys[k].ic && !strcmp(keys[k].ic, ic) : !keys[k].ic))
            print_key(&keys[k]);
}

static void print_sections(const fc_key *keys, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        if (keys[k].ic)
            continue;
        int seen = 0;
        for (size_t q = 0; q < k; q++)
            seen |= !keys[q].ic && !strcmp(keys[q].section, keys[k].section);
        if (seen)
            continue;
        printf("  [%s]\n", keys[k].section);
        print_section(keys, n, keys[k].section, NULL);
    }
}

/* The ready-made cases, a line each: the name and the first comment line of the file. */
static int list_inputs(void)
{
    const char *dir = cmd_inputs_dir();
    struct dirent **names;
    const int n = scandir(dir, &names, NULL, alphasort);
    if (n < 0) {
        fprintf(stderr, "flowcast: error: cannot list the cases in '%s': %s\n", dir,
                strerror(errno));
        return 2;
    }
    printf("Ready-made cases in %s (flowcast run NAME):\n", dir);
    for (int k = 0; k < n; k++) {
        const char *name = names[k]->d_name;
        const size_t len = strlen(name);
        if (len > 4 && !strcmp(name + len - 4, ".ini")) {
            char path[4096], line[512] = "", about[512] = "";
            snprintf(path, sizeof path, "%s/%s", dir, name);
            FILE *f = fopen(path, "r");
            if (f && fgets(line, sizeof line, f) && (line[0] == ';' || line[0] == '#'))
                snprintf(about, sizeof about, "%s", line + 1 + (line[1] == ' '));
            if (f)
                fclose(f);
            about[strcspn(about, "\n")] = '\0';
            printf("  %-28.*s %s\n", (int)(len - 4), name, about);
        }
        free(names[k]);
    }
    free(names);
    return 0;
}

int cmd_cases(int argc, char **argv)
{
    if (cmd_wants_help(argc, argv)) {
        puts("usage: flowcast cases [--inputs]\n\nLists every case-file key (type, range, units, "
             "default) and each solver's\ninitial conditions with their parameters.\n\n"
             "  --inputs   the ready-made cases instead (./inputs, else those of the\n"
             "             checkout the program was built in, else the installed ones),\n"
             "             each with its first comment line; run one with flowcast run\n"
             "             NAME");
        return 0;
    }
    if (argc == 2 && !strcmp(argv[1], "--inputs"))
        return list_inputs();
    if (argc > 1) {
        fprintf(stderr, "flowcast: error: cases takes no arguments but --inputs (got '%s')\n",
                argv[1]);
        return 2;
    }
    size_t nc, ns;
    const fc_key *core = fc_config_core_keys(&nc);
    printf("Case files are INI. Every key below; '(required)' keys have no default.\n"
           "    %-22s %-32s %-10s %-12s %s\n\nKeys of every case:\n",
           "key", "type and range", "units", "default", "meaning");
    print_sections(core, nc);
    const fc_solver_desc *const *all = fc_solvers()->solvers;
    ns = fc_solvers()->n;
    for (size_t s = 0; s < ns; s++) {
        const fc_solver_desc *d = all[s];
        printf("\nSolver %s ([case] solver = %s): %s\n  backends: cpu%s\n", d->name, d->name,
               d->summary, d->gpu ? ", gpu" : " (this build has no CUDA)");
        print_sections(d->schema.keys, d->schema.nkeys);
        printf("  initial conditions ([initial] type = ...):\n");
        for (size_t i = 0; i < d->schema.nics; i++) {
            printf("  %s: %s\n", d->schema.ics[i].name, d->schema.ics[i].help);
            print_section(d->schema.keys, d->schema.nkeys, "initial", d->schema.ics[i].name);
        }
    }
    return 0;
}
