/** The Trainer: schedules, logging, evaluation, checkpoints and resume. */
package dev.tandem.api.train;
