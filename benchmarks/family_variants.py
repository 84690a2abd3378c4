"""The variants of the family search (benchmarks/family_search.py): each a preset and the keys it changes, with
what it tests. Rows of earlier rounds undo what later presets changed, so every row reproduces its result."""
from __future__ import annotations

from lapgan_variants import LAPGAN_VARIANTS

# What today's presets changed, undone: the earlier presets' rows are kept reproducible
NO_R1_R2 = {"loss.r1": 0.0, "loss.r2": 0.0, "loss.r1_every": 1}
BCE = {"loss.name": "bce", **NO_R1_R2}
WGAN_GP = {"loss.name": "wasserstein", "loss.gp": 10.0, "loss.drift": 0.001, **NO_R1_R2}
EARLIER_VANILLA = {**BCE, "train.steps": 20000, "train.ema_decay": 0.999, "train.d_lr": 2e-4}
EARLIER_CGAN = {**EARLIER_VANILLA, "train.g_lr": 2e-4, "train.d_lr": 2e-4, "train.beta1": 0.5, "train.beta2": 0.999}

# the ProGAN preset of round five (progan/batch16_d6_bf16: D 1.5× as wide as G, 40k images per phase)
ROUND_FIVE_PROGAN = {"model.d_ch": 6, "growth.stable": 40000, "growth.fade": 40000, "train.steps": 11875,
                     "train.channels_last": False, "train.d_lr": 1e-3}
# the preset of rounds three and four (progan/batch16)
BATCH16 = {**ROUND_FIVE_PROGAN, "model.d_ch": 4, "train.precision": "fp32"}
# the ProGAN preset of rounds six to ten (progan/d8_32k_cl: D twice as wide, 32k images per phase, D at G's lr)
ROUND_SIX_PROGAN = {"train.d_lr": 1e-3}
D8_R8 = {**ROUND_SIX_PROGAN, "loss.r1_every": 8, "train.channels_last": False}  # progan/d8_r8_32k
ROUND_TWO_PROGAN = {**BATCH16, "growth.batch_sizes": [64, 64, 32, 32], "train.steps": 6875}
EARLIER_PROGAN = {**WGAN_GP, **ROUND_TWO_PROGAN, "model.mbstd_by_class": False, "growth.stable": 20000,
                  "growth.fade": 20000, "train.steps": 3437}


# "family/name": (preset, overrides, what it tests)
VARIANTS = {
    # cgan rows are today's preset with what each changed; the first is the earlier preset (BCE, equal rates)
    "cgan/preset": ("cgan-fashion32", EARLIER_CGAN,
                    "the earlier preset: BCE, lr 2e-4, β (0.5, 0.999), 20,000 steps"),
    "cgan/mbd": ("cgan-fashion32", {**EARLIER_CGAN, "model.mb_kernels": 64},
                 "minibatch discrimination, 64 kernels"),
    "cgan/fm": ("cgan-fashion32", {**EARLIER_CGAN, "loss.feature_matching": 1.0}, "feature matching, weight 1"),
    "cgan/wide": ("cgan-fashion32", {**EARLIER_CGAN, "model.ch": 32}, "G twice as wide (1,024 hidden units)"),
    "cgan/r1": ("cgan-fashion32", {**EARLIER_CGAN, "loss.r1": 1.0, "loss.r1_every": 4},
                "lazy R1 (γ 1, every 4 D steps)"),
    "cgan/ema9995": ("cgan-fashion32", {**EARLIER_CGAN, "train.ema_decay": 0.9995},
                     "EMA 0.9995 (a 2,000-step horizon)"),
    "cgan/by_class": ("cgan-fashion32", {**EARLIER_CGAN, "model.mbstd_by_class": True},
                      "the class-wise minibatch stddev as one more hidden feature of D"),
    "cgan/rpgan": ("cgan-fashion32", {**EARLIER_CGAN, "loss.name": "rpgan", "loss.r1": 1.0, "loss.r2": 1.0},
                   "R3GAN's objective: relativistic pairing + R1 and R2 (γ 1)"),
    "cgan/steps50k": ("cgan-fashion32", {**EARLIER_CGAN, "train.steps": 50000, "train.ema_decay": 0.9995},
                      "50,000 steps, EMA 0.9995"),
    "cgan/lr1e4": ("cgan-fashion32", {**EARLIER_CGAN, "train.g_lr": 1e-4, "train.d_lr": 1e-4}, "learning rates 1e-4"),
    "cgan/ttur_b0": ("cgan-fashion32", {**EARLIER_CGAN, "train.g_lr": 1e-4, "train.d_lr": 4e-4, "train.beta1": 0.0,
                                        "train.beta2": 0.99},
                     "G slower than D (1e-4 / 4e-4), Adam β (0, 0.99)"),
    "cgan/rpgan_ttur_b0": ("cgan-fashion32", {"loss.r1_every": 1, "train.steps": 20000, "train.ema_decay": 0.999},
                           "rpgan with G slower than D (1e-4 / 4e-4), Adam β (0, 0.99)"),
    "cgan/ttur_slow": ("cgan-fashion32", {**EARLIER_CGAN, "train.g_lr": 5e-5, "train.d_lr": 4e-4, "train.beta1": 0.0,
                                          "train.beta2": 0.99},
                       "G 8× slower than D (5e-5 / 4e-4), Adam β (0, 0.99)"),
    "cgan/ttur_b0_40k": ("cgan-fashion32", {**EARLIER_CGAN, "train.g_lr": 1e-4, "train.d_lr": 4e-4, "train.beta1": 0.0,
                                            "train.beta2": 0.99, "train.steps": 40000, "train.ema_decay": 0.9995},
                         "ttur_b0 for 40,000 steps, EMA 0.9995"),
    "cgan/rpgan_ttur_30k": ("cgan-fashion32", {},
                            "rpgan_ttur_b0 with lazy R1 and R2 (every 4 D steps), 30,000 steps, EMA 0.9995: "
                            "today's preset"),
    # vanilla rows are today's preset with what each changed; the first is the earlier preset (BCE, 20,000 steps)
    "vanilla/preset": ("vanilla-fashion32", EARLIER_VANILLA, "the earlier preset: BCE, 20,000 steps, EMA 0.999"),
    "vanilla/mbstd": ("vanilla-fashion32", {**EARLIER_VANILLA, "model.mbstd_group": 4},
                      "the minibatch stddev (groups of 4) as one more hidden feature of D"),
    "vanilla/mbd": ("vanilla-fashion32", {**EARLIER_VANILLA, "model.mb_kernels": 64},
                    "minibatch discrimination, 64 kernels"),
    "vanilla/rpgan": ("vanilla-fashion32", {**EARLIER_VANILLA, "loss.name": "rpgan", "loss.r1": 1.0, "loss.r2": 1.0},
                      "R3GAN's objective: relativistic pairing + R1 and R2 (γ 1)"),
    "vanilla/ttur_b0": ("vanilla-fashion32", {**EARLIER_VANILLA, "train.g_lr": 1e-4, "train.d_lr": 4e-4,
                                              "train.beta1": 0.0, "train.beta2": 0.99},
                        "G slower than D (1e-4 / 4e-4), Adam β (0, 0.99)"),
    "vanilla/rpgan_30k": ("vanilla-fashion32", {"train.d_lr": 2e-4},
                          "rpgan with lazy R1 and R2 (every 4 D steps), 30,000 steps, EMA 0.9995: the preset of "
                          "rounds two to eleven"),
    # round twelve: D twice as fast as G, ProGAN's lever of round eleven, on four seeds
    **{"vanilla/d4e4" + (f"_seed{seed}" if seed else ""): (
        "vanilla-fashion32", {"train.seed": seed},
        f"rpgan_30k{f' with seed {seed}' if seed else ''} and D twice as fast (2e-4 / 4e-4): today's preset")
       for seed in range(4)},
    **{f"vanilla/45k_seed{s}": ("vanilla-fashion32", {"train.d_lr": 2e-4, "train.steps": 45000, "train.seed": s},
                                f"rpgan_30k with seed {s} for 45,000 steps") for s in (1, 2)},
    "dcgan/preset": ("dcgan-fashion32", {}, "the preset"),
    **LAPGAN_VARIANTS,
    # progan rows are today's preset with what each changed; the first is the earlier preset (WGAN-GP, 20k images
    # per phase, groups of 4), ROUND_TWO_PROGAN the preset of round two (class_rpgan_lazy), BATCH16 that of rounds
    # three and four
    "progan/preset": ("progan-fashion32", EARLIER_PROGAN, "the earlier preset: WGAN-GP + drift, 20k images per phase"),
    "progan/by_class": ("progan-fashion32", {**EARLIER_PROGAN, "model.mbstd_by_class": True},
                        "the minibatch-stddev map over each class's samples instead of groups of 4"),
    "progan/class_long": ("progan-fashion32", {**WGAN_GP, **ROUND_TWO_PROGAN},
                          "the class-wise map, 40k images per phase (twice the preset's)"),
    "progan/class_rpgan": ("progan-fashion32", {**ROUND_TWO_PROGAN, "loss.r1_every": 1},
                           "class_long with R3GAN's objective (relativistic pairing, R1 and R2 γ 1) for WGAN-GP"),
    "progan/class_rpgan_lazy": ("progan-fashion32", ROUND_TWO_PROGAN,
                                "class_rpgan with lazy R1 and R2 (every 4 D steps): the preset of round two"),
    "progan/rpgan_g01": ("progan-fashion32", {**ROUND_TWO_PROGAN, "loss.r1": 0.1, "loss.r2": 0.1},
                         "class_rpgan_lazy with R1 and R2 at γ 0.1 (R3GAN's CIFAR-10 setting is 0.05)"),
    "progan/images60k": ("progan-fashion32", {**ROUND_TWO_PROGAN, "growth.stable": 60000, "growth.fade": 60000,
                                              "train.steps": 10312},
                         "class_rpgan_lazy with 60k images per phase (10,312 steps)"),
    "progan/rpgan_g4": ("progan-fashion32", {**ROUND_TWO_PROGAN, "loss.r1": 4.0, "loss.r2": 4.0},
                        "class_rpgan_lazy with R1 and R2 at γ 4"),
    "progan/batch64": ("progan-fashion32", {**ROUND_TWO_PROGAN, "growth.batch_sizes": [64, 64, 64, 64],
                                            "train.steps": 4375},
                       "class_rpgan_lazy with batch 64 at every level (4,375 steps), so each class has about 6 "
                       "samples in the class-wise map"),
    "progan/ema998": ("progan-fashion32", {**ROUND_TWO_PROGAN, "train.ema_decay": 0.998},
                      "class_rpgan_lazy with G's EMA at 0.998 (a 500-step horizon; its raw G scores fid2k 17.3 "
                      "against its EMA's 8.84)"),
    "progan/batch16": ("progan-fashion32", BATCH16,
                       "class_rpgan_lazy with batch 16 at 16 and 32 px (11,875 steps): twice the updates there: "
                       "the preset of rounds three and four"),
    "progan/batch16_48k": ("progan-fashion32", {**BATCH16, "growth.stable": 48000, "growth.fade": 48000,
                                                "train.steps": 14250},
                           "batch16 with 48k images per phase (14,250 steps)"),
    "progan/batch16_g6": ("progan-fashion32", {**BATCH16, "model.ch": 6},
                          "batch16 with G 1.5× as wide (ch 6: 48 channels per level)"),
    "progan/batch16_groups": ("progan-fashion32", {**BATCH16, "model.mbstd_by_class": False},
                              "batch16 with the paper's minibatch-stddev map in groups of 4 (a batch of 16 has "
                              "one or two samples of most classes)"),
    "progan/batch8_32": ("progan-fashion32", {**BATCH16, "growth.batch_sizes": [64, 64, 16, 8],
                                              "train.steps": 16875},
                         "batch16 with batch 8 at 32 px (16,875 steps): twice the updates there again"),
    "progan/batch16_ms": ("progan-fashion32", {**BATCH16, "loss.mode_seeking": 1.0},
                          "batch16 with MSGAN's mode-seeking term (λ 1)"),
    "progan/batch16_ms03": ("progan-fashion32", {**BATCH16, "loss.mode_seeking": 0.3},
                            "batch16 with MSGAN's mode-seeking term (λ 0.3)"),
    "progan/batch16_seed1": ("progan-fashion32", {**BATCH16, "train.seed": 1}, "batch16 with seed 1"),
    "progan/bf16": ("progan-fashion32", {**BATCH16, "train.precision": "auto"}, "batch16 in bf16 where native"),
    "progan/batch16_d8_bf16": ("progan-fashion32", {**BATCH16, "model.d_ch": 8, "train.precision": "auto"},
                               "batch16 with D twice as wide (64 channels per level), bf16 where native"),
    "progan/batch16_d6_bf16": ("progan-fashion32", ROUND_FIVE_PROGAN,
                               "batch16 with D 1.5× as wide (48 channels per level), bf16 where native: the preset "
                               "of round five"),
    "progan/batch16_d6_fp32": ("progan-fashion32", {**ROUND_FIVE_PROGAN, "train.precision": "fp32"},
                               "batch16_d6_bf16 in fp32, as on a CPU without native bf16"),
    "progan/batch16_d6_bf16_seed1": ("progan-fashion32", {**ROUND_FIVE_PROGAN, "train.seed": 1},
                                     "batch16_d6_bf16 with seed 1"),
    "progan/d8_r8_32k": ("progan-fashion32", D8_R8,
                         "batch16_d6_bf16 with D twice as wide (64 channels per level), R1 and R2 every 8 D steps and "
                         "32k images per phase (9,500 steps), to fit D8's time"),
    "progan/d8_r8_32k_seed1": ("progan-fashion32", {**D8_R8, "train.seed": 1}, "d8_r8_32k with seed 1"),
    "progan/d8_32k_cl": ("progan-fashion32", ROUND_SIX_PROGAN,
                         "d8_r8_32k with R1 and R2 every 4 D steps again, channels-last memory format: the "
                         "preset of rounds six to ten"),
    "progan/d8_32k_cl_fp32": ("progan-fashion32", {**ROUND_SIX_PROGAN, "train.precision": "fp32"},
                              "d8_32k_cl in fp32, as on a CPU without native bf16"),
    "progan/d8_32k_cl_seed1": ("progan-fashion32", {**ROUND_SIX_PROGAN, "train.seed": 1}, "d8_32k_cl with seed 1"),
    "progan/batch16_mbf4": ("progan-fashion32", {**BATCH16, "model.mbstd_features": 4},
                            "batch16 with the class-wise map split into 4 groups of D's channels (4 values)"),
    "progan/class_ttur": ("progan-fashion32", {**WGAN_GP, **ROUND_TWO_PROGAN, "train.g_lr": 5e-4},
                          "class_long with G slower than D (5e-4 / 1e-3)"),
    # round eleven: from the preset of rounds six to ten (d8_32k_cl), for recall with a margin
    "progan/d12": ("progan-fashion32", {**ROUND_SIX_PROGAN, "model.d_ch": 12},
                   "d8_32k_cl with D three times as wide as G (96 channels per level)"),
    "progan/lecam": ("progan-fashion32", {**ROUND_SIX_PROGAN, "loss.lecam": 0.3}, "d8_32k_cl with LeCam (λ 0.3)"),
    "progan/trans": ("progan-fashion32", {**ROUND_SIX_PROGAN, "augment.diffaugment": "translation"},
                     "d8_32k_cl with DiffAugment's translation on every image D sees"),
    "progan/g5e4": ("progan-fashion32", {**ROUND_SIX_PROGAN, "train.g_lr": 5e-4},
                    "d8_32k_cl with G slower than D (5e-4 / 1e-3)"),
    "progan/g2e3": ("progan-fashion32", {**ROUND_SIX_PROGAN, "train.g_lr": 2e-3},
                    "d8_32k_cl with G faster than D (2e-3 / 1e-3)"),
    "progan/d4e3": ("progan-fashion32", {"train.d_lr": 4e-3}, "d8_32k_cl with D four times as fast as G "
                                                              "(1e-3 / 4e-3)"),
    "progan/d2e3": ("progan-fashion32", {}, "d8_32k_cl with D twice as fast as G (1e-3 / 2e-3): today's preset"),
    "progan/d2e3_seed1": ("progan-fashion32", {"train.seed": 1}, "d2e3 with seed 1"),
    "progan/d2e3_seed2": ("progan-fashion32", {"train.seed": 2}, "d2e3 with seed 2"),
    "progan/d2e3_seed3": ("progan-fashion32", {"train.seed": 3}, "d2e3 with seed 3"),
    # BigGAN-deep rows are today's preset with what each changed; the first is the earlier preset
    "biggan_deep/preset": ("fashion32-deep-cpu", {"model.ch": 16, "model.dim_z": 32, "model.g_attention": [16, 32],
                                                  "model.d_attention": [16, 32], "model.mbstd_by_class": False,
                                                  "train.g_lr": 4e-4, "train.d_lr": 2e-4, "train.precision": "fp32",
                                                  "train.steps": 1000},
                           "the earlier preset: ch 16, attention at 16 and 32, dim_z 32, lr 4e-4 / 2e-4, 1,000 steps"),
    "biggan_deep/ch8_att16": ("fashion32-deep-cpu", {"model.d_ch": 8, "model.dim_z": 32, "model.mbstd_by_class": False,
                                                     "train.precision": "fp32", "train.steps": 5000,
                                                     "train.d_lr": 4e-4},
                              "ch 8, attention at 16 only, the demo's lrs (2e-4 / 4e-4), 5,000 steps"),
    "biggan_deep/class8k": ("fashion32-deep-cpu", {"model.d_ch": 8, "train.steps": 8000, "train.d_lr": 4e-4},
                            "ch8_att16 with the class-wise map before D's last block, a 64-d latent, bf16 where "
                            "native, 8,000 steps"),
    "biggan_deep/class_dch16": ("fashion32-deep-cpu", {"train.d_lr": 4e-4},
                                "class8k with D twice as wide (d_ch 16), 6,000 steps: the round-twelve preset"),
    # round twelve: the cGAN and vanilla (of round eleven) presets trained with seeds 1 to 3, BigGAN-deep's with 1
    **{f"{key}_seed{seed}": (preset, {**undo, "train.seed": seed}, f"{key.split('/')[1]} with seed {seed}")
       for key, preset, undo, seeds in [("cgan/rpgan_ttur_30k", "cgan-fashion32", {}, (1, 2, 3)),
                                        ("vanilla/rpgan_30k", "vanilla-fashion32", {"train.d_lr": 2e-4}, (1, 2, 3)),
                                        ("biggan_deep/class_dch16", "fashion32-deep-cpu", {"train.d_lr": 4e-4},
                                         (1, 2, 3))]
       for seed in seeds},
    # round thirteen: BigGAN-deep's seed 2 (recall 0.381) with D four times as fast as G, or a longer EMA
    "biggan_deep/d8e4_seed2": ("fashion32-deep-cpu", {"train.d_lr": 8e-4, "train.seed": 2},
                               "class_dch16_seed2 with D four times as fast as G (2e-4 / 8e-4)"),
    "biggan_deep/d8e4": ("fashion32-deep-cpu", {"train.d_lr": 8e-4},
                         "class_dch16 with D four times as fast as G (2e-4 / 8e-4): today's preset"),
    "biggan_deep/d8e4_seed1": ("fashion32-deep-cpu", {"train.d_lr": 8e-4, "train.seed": 1},
                               "class_dch16_seed1 with D four times as fast as G (2e-4 / 8e-4)"),
    "biggan_deep/d8e4_seed3": ("fashion32-deep-cpu", {"train.d_lr": 8e-4, "train.seed": 3},
                               "class_dch16_seed3 with D four times as fast as G (2e-4 / 8e-4)"),
    "biggan_deep/ema999_seed2": ("fashion32-deep-cpu", {"train.ema_decay": 0.999, "train.seed": 2,
                                                          "train.d_lr": 4e-4},
                                 "class_dch16_seed2 with EMA 0.999 (it trains the same G)"),
    # round fourteen: the attention ablation's "none" (benchmarks/ablation_attention.py, seed 0) on seeds 1 to 3
    **{f"biggan_deep/noatt_seed{seed}": ("fashion32-deep-cpu", {"model.g_attention": [], "model.d_attention": [],
                                                                "train.seed": seed},
                                         f"today's preset without attention in G and D, seed {seed}")
       for seed in (1, 2, 3)},
}
