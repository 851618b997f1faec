/** Safetensors files and model directories, read memory-mapped with bounds checks, written atomically. */
package dev.tandem.api.io;
