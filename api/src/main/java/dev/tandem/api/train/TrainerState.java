package dev.tandem.api.train;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * {@code trainer_state.json}: where a run stands, enough to resume it exactly. Data order and
 * sampling are functions of {@code seed}, epoch and step, so no RNG state beyond the seed is needed.
 *
 * @param globalStep updates done
 * @param epoch current epoch (0-based)
 * @param batchInEpoch next batch index within the epoch
 * @param totalSteps planned updates
 * @param seed the run's seed
 * @param objective the objective's name
 * @param optimizer the optimizer's name
 * @param engine the engine that wrote it (any engine may resume it)
 * @param lastLoss the last training loss
 * @param lastEvalLoss the last evaluation loss, or NaN
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record TrainerState(
    @JsonProperty("global_step") long globalStep,
    @JsonProperty("epoch") int epoch,
    @JsonProperty("batch_in_epoch") int batchInEpoch,
    @JsonProperty("total_steps") long totalSteps,
    @JsonProperty("seed") long seed,
    @JsonProperty("objective") String objective,
    @JsonProperty("optimizer") String optimizer,
    @JsonProperty("engine") String engine,
    @JsonProperty("last_loss") double lastLoss,
    @JsonProperty("last_eval_loss") Double lastEvalLoss) {}
