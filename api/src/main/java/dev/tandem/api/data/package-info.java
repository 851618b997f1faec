/** JSONL datasets in TRL's standard forms, prompt templates and batching with length buckets. */
package dev.tandem.api.data;
