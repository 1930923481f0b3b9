/* Alerting hygiene in front of every sink: min_score, only_abnormal, and a per-key token
 * bucket whose suppressions are summarised, so one flapping container cannot flood a sink. */
#ifndef ANOMON_SINK_GATE_H
#define ANOMON_SINK_GATE_H

#include <stdbool.h>
#include <stdint.h>

#include "anomon_plugin.h"

/* The parameters the host adds to every sink. */
extern const struct anomon_param sink_gate_params[];

/* Whether verdict v may reach sink s now; counts and remembers what it holds back. */
bool sink_gate_pass(anomon_stage *s, const struct anomon_verdict *v, uint64_t now_ns);
/* Log the summaries of suppression periods that have ended (all of them with `all`). */
void sink_gate_report(anomon_stage *s, uint64_t now_ns, bool all);
void sink_gate_free(anomon_stage *s);

#endif
