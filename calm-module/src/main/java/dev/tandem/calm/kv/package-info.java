/** The data of the paper's key-value arithmetic experiment, at a size that fits a small machine. */
package dev.tandem.calm.kv;
