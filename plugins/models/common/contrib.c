#include <math.h>

#include "contrib.h"

size_t contrib_top(const struct anomon_contribution *all, size_t n,
		   struct anomon_contribution *top, size_t k)
{
	size_t m = 0;

	if (k == 0)
		return 0;
	/* Insertion into a short sorted list: k is a handful, so O(n k) beats sorting n. */
	for (size_t i = 0; i < n; i++) {
		double w = fabs(all[i].weight);
		size_t j;

		if (m == k && !(w > fabs(top[m - 1].weight)))
			continue;
		if (m < k)
			m++;
		for (j = m - 1; j > 0 && w > fabs(top[j - 1].weight); j--)
			top[j] = top[j - 1];
		top[j] = all[i];
	}
	return m;
}
