/* cli.h - the cubecast program's subcommands (src/cli only). */
#ifndef CUBECAST_CLI_H
#define CUBECAST_CLI_H

#include "cubecast/error.h"
#include "cubecast/generate.h"
#include "cubecast/input.h"
#include "cubecast/options.h"

/* What parsing asked for besides running. */
typedef enum cc_cli_action { CC_CLI_RUN = 0, CC_CLI_HELP, CC_CLI_VERSION } cc_cli_action;

cc_status cc_cli_parse_render(int argc, char **argv, cc_render_options *options,
                              cc_cli_action *action, cc_error *err);
cc_status cc_cli_parse_generate(int argc, char **argv, const char **path,
                                cc_generate_options *options, cc_cli_action *action, cc_error *err);
/* volume->dataset is NULL when --dataset is not given. */
cc_status cc_cli_parse_info(int argc, char **argv, const char **path, cc_input_choice *volume,
                            cc_cli_action *action, cc_error *err);

/* `cubecast info`: prints to stdout; volume->dataset NULL: the dataset
 * render would choose. */
cc_status cc_cli_info(const char *path, const cc_input_choice *volume, cc_error *err);

extern const char cc_usage_render[];
extern const char cc_usage_generate[];
extern const char cc_usage_info[];
extern const char cc_usage_main[];

#endif
