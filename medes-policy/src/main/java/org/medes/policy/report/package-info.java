/**
 * Reports of a side-by-side run: an aligned text table, the JSON contract of
 * {@code ./medes simulate --json}, CSV files (summary, per function, memory over time), PNG charts
 * (XChart, headless) and the headline ratios against a baseline.
 */
package org.medes.policy.report;
