/* anomon train and anomon eval: fit a model file from labelled data, and score one. */
#ifndef ANOMON_CMD_TRAIN_H
#define ANOMON_CMD_TRAIN_H

/* argv[0] is the command name. Exit codes: 0 ok, 2 usage/config/bad input, 1 runtime. */
int cmd_train(int argc, char **argv);
int cmd_eval(int argc, char **argv);

#endif
