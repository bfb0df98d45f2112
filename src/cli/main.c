/* main.c - the cubecast program: subcommand dispatch and error reporting.
 *
 * Every rank runs the same command; errors are agreed on inside the library,
 * so here rank 0 alone prints the one message and every rank exits with the
 * same status. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cubecast/driver.h"
#include "cubecast/generate.h"
#include "cubecast/input.h"
#include "cubecast/render.h"
#include "cubecast/version.h"

static int report(cc_status status, const cc_error *err, int rank)
{
    if (status != CC_OK && rank == 0)
        fprintf(stderr, "cubecast: error: %s\n", err->message);
    return cc_exit_code(status);
}

/* The version and, for whoever debugs performance, the render kernel's
 * copies and the one this CPU runs (render.h). */
static int print_version(int rank)
{
    const char *kernel = NULL;
    cc_error err;
    cc_error_clear(&err);
    cc_status status = cc_render_kernel_pick(&kernel, &err);
    if (rank != 0)
        return 0;
    printf("cubecast %s\n", CC_VERSION_STRING);
    printf("render kernels: %s; this CPU runs %s\n", cc_render_kernels_built(),
           status == CC_OK ? kernel : err.message);
    return 0;
}

static int run_render(int argc, char **argv, int rank)
{
    cc_render_options options;
    cc_cli_action action;
    cc_error err;
    cc_error_clear(&err);
    cc_status status = cc_cli_parse_render(argc, argv, &options, &action, &err);
    if (status == CC_OK && action == CC_CLI_HELP) {
        if (rank == 0)
            fputs(cc_usage_render, stdout);
        return 0;
    }
    if (status == CC_OK && action == CC_CLI_VERSION) {
        if (rank == 0)
            printf("cubecast %s\n", CC_VERSION_STRING);
        return 0;
    }
    /* Parsing is deterministic, so every rank reached the same verdict. */
    if (status == CC_OK)
        status = cc_driver_render(&options, MPI_COMM_WORLD, &err);
    cc_render_options_release(&options);
    return report(status, &err, rank);
}

static int run_generate(int argc, char **argv, int rank)
{
    const char *path;
    cc_generate_options options;
    cc_cli_action action;
    cc_error err;
    cc_error_clear(&err);
    cc_status status = cc_cli_parse_generate(argc, argv, &path, &options, &action, &err);
    if (status == CC_OK && action != CC_CLI_RUN) {
        if (rank == 0)
            fputs(action == CC_CLI_HELP ? cc_usage_generate : "cubecast " CC_VERSION_STRING "\n",
                  stdout);
        return 0;
    }
    /* One writer: the file is small next to what renders read from it. */
    if (status == CC_OK && rank == 0)
        status = cc_generate(path, &options, &err);
    MPI_Bcast(&status, 1, MPI_INT, 0, MPI_COMM_WORLD);
    return report(status, &err, rank);
}

static int run_info(int argc, char **argv, int rank)
{
    const char *path;
    cc_input_choice volume;
    cc_cli_action action;
    cc_error err;
    cc_error_clear(&err);
    cc_status status = cc_cli_parse_info(argc, argv, &path, &volume, &action, &err);
    if (status == CC_OK && action != CC_CLI_RUN) {
        if (rank == 0)
            fputs(action == CC_CLI_HELP ? cc_usage_info : "cubecast " CC_VERSION_STRING "\n",
                  stdout);
        return 0;
    }
    if (status == CC_OK && rank == 0)
        status = cc_cli_info(path, &volume, &err);
    MPI_Bcast(&status, 1, MPI_INT, 0, MPI_COMM_WORLD);
    return report(status, &err, rank);
}

/* A process started without mpirun or srun is an MPI singleton.  Open MPI
 * then probes every network transport (0.3 s here, as long as rendering
 * the original's whole workload) and starts a daemon for itself (another
 * 0.1 s).  A singleton talks to nobody, so unless the user chose otherwise
 * it gets the shared-memory transports only and no daemon
 * (ess_singleton_isolated): W0 went from 0.27 s to 0.17 s.  Isolated
 * singletons all name their session folder after job 0, and one that
 * finishes removes it under the others (two runs at once broke each
 * other's MPI-IO), so each gets a private base folder, which
 * remove_session_base deletes after MPI_Finalize.  Launched ranks (mpirun,
 * srun) keep the site's settings.  Returns the folder made, or NULL. */
static char *prefer_fast_singleton(char *base, size_t base_size)
{
    static const char *const launcher_variables[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK",
                                                     "PMI_RANK", "PMI_SIZE"};
    for (size_t v = 0; v < sizeof launcher_variables / sizeof launcher_variables[0]; v++)
        if (getenv(launcher_variables[v]) != NULL)
            return NULL;
    setenv("OMPI_MCA_pml", "ob1", 0);
    setenv("OMPI_MCA_btl", "self,vader", 0);
    if (getenv("OMPI_MCA_ess_singleton_isolated") != NULL ||
        getenv("OMPI_MCA_orte_tmpdir_base") != NULL)
        return NULL;
    const char *tmp = getenv("TMPDIR");
    int length = snprintf(base, base_size, "%s/cubecast-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (length < 0 || (size_t)length >= base_size || mkdtemp(base) == NULL)
        return NULL; /* keep the daemon: it finds its own folder */
    setenv("OMPI_MCA_orte_tmpdir_base", base, 1);
    setenv("OMPI_MCA_ess_singleton_isolated", "1", 1);
    return base;
}

/* Open MPI empties its session folder at MPI_Finalize; the base goes too. */
static void remove_session_base(const char *base)
{
    if (base != NULL)
        rmdir(base);
}

int main(int argc, char **argv)
{
    int provided, rank;
    char session_base[4096];
    const char *made_base = prefer_fast_singleton(session_base, sizeof session_base);
    cc_input_prepare_mpi();
    MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    const char *command = argc > 1 ? argv[1] : "";
    int code;
    if (strcmp(command, "render") == 0)
        code = run_render(argc - 1, argv + 1, rank);
    else if (strcmp(command, "generate") == 0)
        code = run_generate(argc - 1, argv + 1, rank);
    else if (strcmp(command, "info") == 0)
        code = run_info(argc - 1, argv + 1, rank);
    else if (strcmp(command, "--version") == 0) {
        code = print_version(rank);
    } else if (strcmp(command, "--help") == 0 || strcmp(command, "-h") == 0) {
        if (rank == 0)
            fputs(cc_usage_main, stdout);
        code = 0;
    } else {
        if (rank == 0) {
            if (command[0] == '\0')
                fputs(cc_usage_main, stderr);
            else
                fprintf(stderr, "cubecast: error: unknown command '%s' (try: cubecast --help)\n",
                        command);
        }
        code = 2;
    }
    MPI_Finalize();
    remove_session_base(made_base);
    return code;
}
