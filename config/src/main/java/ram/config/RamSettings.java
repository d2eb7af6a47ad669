package ram.config;

import java.io.Serializable;

import ram.model.AdvantageMode;
import ram.model.LaggedPolicy;
import ram.model.TimeSampler;

/**
 * RAM's settings (docs/algorithm.md section 3).
 *
 * @param renoisings K: re-noisings of each endpoint in the update
 * @param timeSampler how the re-noising time is drawn
 * @param rewardMultiplier m, the reward multiplier
 * @param advantage how the advantage is formed from rewards
 * @param laggedPolicy v_old and the sampler: the EMA of theta, or theta itself
 */
public record RamSettings(int renoisings, TimeSampler timeSampler, double rewardMultiplier, AdvantageMode advantage,
    LaggedPolicy laggedPolicy) implements Serializable {}
