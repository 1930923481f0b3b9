#include <errno.h>
#include <inttypes.h>
#include <math.h>

#include "dataset_line.h"

/* A JSON string: quotes, backslashes and control characters escaped. */
static void put_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

int dataset_line_write(FILE *f, const struct anomon_vector *v, int label)
{
	/* JSON has no NaN or infinity; such a vector cannot be a training row. */
	for (size_t i = 0; i < v->n; i++)
		if (!isfinite(v->values[i]))
			return -EINVAL;
	fputs("{\"names\":[", f);
	for (size_t i = 0; i < v->n; i++) {
		if (i)
			fputc(',', f);
		put_string(f, v->names[i]);
	}
	fputs("],\"values\":[", f);
	/* %.17g reads back to the same double. */
	for (size_t i = 0; i < v->n; i++)
		fprintf(f, i ? ",%.17g" : "%.17g", v->values[i]);
	fprintf(f, "],\"label\":%d,\"start\":%" PRIu64 ",\"end\":%" PRIu64 ",\"key\":", label,
		v->start_ns, v->end_ns);
	put_string(f, v->key ? v->key : "");
	fprintf(f, ",\"incomplete\":%s}\n",
		(v->flags & ANOMON_WINDOW_INCOMPLETE) ? "true" : "false");
	return ferror(f) ? -EIO : 0;
}
