/* RFC 5424 messages for verdicts: header, structured data and text, and the severity a
 * verdict gets from its label and score. Pure functions, tested without a host. */
#ifndef SYSLOG_FORMAT_H
#define SYSLOG_FORMAT_H

#include <stddef.h>
#include <stdint.h>

/* The private SD-ID: "anomon" at the documentation enterprise number (RFC 5612). */
#define SYSLOG_SD_ID "anomon@32473"

enum { SYSLOG_CRIT = 2, SYSLOG_WARNING = 4, SYSLOG_NOTICE = 5, SYSLOG_INFO = 6 };

struct syslog_verdict {
	const char *key, *container, *label, *model, *model_version, *pipeline;
	double score;
	uint64_t start_ns, end_ns;
};

/* Severity: crit for abnormal at or above crit_score, warning for abnormal, info for
 * normal, notice for unjudged. */
int syslog_severity(int label, double score, double crit_score);
/* The facility number of a name ("daemon", "local0".."local7", "user", ...), or -1. */
int syslog_facility(const char *name);
/* Write `[anomon@32473 key="..." ...]` (PARAM-VALUEs escaped per RFC 5424 6.3.3) into buf,
 * snprintf-style. */
int syslog_sd(char *buf, size_t cap, const struct syslog_verdict *v);
/* The whole message: <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD MSG, snprintf-style.
 * Header fields that are empty or contain spaces become "-" or lose the spaces. */
int syslog_message(char *buf, size_t cap, int facility, int severity, uint64_t now_ns,
		   const char *hostname, const char *app, int pid, const char *msgid,
		   const char *sd, const char *msg);

#endif
