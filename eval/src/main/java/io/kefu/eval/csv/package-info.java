/** CSV tables with a header row (RFC 4180 quoting; a leading byte-order mark is accepted), for rating sheets and A/B exports. */
package io.kefu.eval.csv;
