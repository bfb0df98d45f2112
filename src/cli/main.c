/* main.c - the cubecast program: subcommand dispatch and error reporting.
 *
 * Every rank runs the same command; errors are agreed on inside the library,
 * so here rank 0 alone prints the one message and every rank exits with the
 * same status. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cubecast/driver.h"
#include "cubecast/generate.h"
#include "cubecast/version.h"

static int report(cc_status status, const cc_error *err, int rank)
{
    if (status != CC_OK && rank == 0)
        fprintf(stderr, "cubecast: error: %s\n", err->message);
    return cc_exit_code(status);
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
    const char *path, *dataset;
    cc_cli_action action;
    cc_error err;
    cc_error_clear(&err);
    cc_status status = cc_cli_parse_info(argc, argv, &path, &dataset, &action, &err);
    if (status == CC_OK && action != CC_CLI_RUN) {
        if (rank == 0)
            fputs(action == CC_CLI_HELP ? cc_usage_info : "cubecast " CC_VERSION_STRING "\n",
                  stdout);
        return 0;
    }
    if (status == CC_OK && rank == 0)
        status = cc_cli_info(path, dataset != NULL ? dataset : "density", &err);
    MPI_Bcast(&status, 1, MPI_INT, 0, MPI_COMM_WORLD);
    return report(status, &err, rank);
}

/* A process started without mpirun or srun is an MPI singleton.  Open MPI
 * then probes every network transport, which took 0.3 s here - as long as
 * rendering the original's whole workload.  A singleton talks to nobody, so
 * it gets Open MPI's shared-memory transports only (0.1 s), unless the user
 * chose otherwise.  Launched ranks (mpirun, srun) keep the site's settings.
 * (Skipping the singleton's daemon too, ess_singleton_isolated, saves
 * another 0.1 s but makes concurrent singletons share one session folder:
 * two runs at once then break each other's MPI-IO.) */
static void prefer_fast_singleton(void)
{
    static const char *const launcher_variables[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK",
                                                     "PMI_RANK", "PMI_SIZE"};
    for (size_t v = 0; v < sizeof launcher_variables / sizeof launcher_variables[0]; v++)
        if (getenv(launcher_variables[v]) != NULL)
            return;
    setenv("OMPI_MCA_pml", "ob1", 0);
    setenv("OMPI_MCA_btl", "self,vader", 0);
}

int main(int argc, char **argv)
{
    int provided, rank;
    prefer_fast_singleton();
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
        if (rank == 0)
            printf("cubecast %s\n", CC_VERSION_STRING);
        code = 0;
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
    return code;
}
