/**
 * medes-policy: see the project README and ARCHITECTURE.md; this module depends on medes-core only.
 */
package org.medes.policy;
