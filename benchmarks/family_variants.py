"""The variants of the family search (benchmarks/family_search.py): each a preset and the keys it changes, with
what it tests. Rows of earlier rounds undo what later presets changed, so every row reproduces its result."""
from __future__ import annotations

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
# the LAPGAN preset of rounds six and seven (lapgan/batch32: 256k images at every level, batches of 64, 32, 32)
ROUND_SIX_LAPGAN = {"growth.stable": 256000, "growth.stable_images": [], "train.steps": 20000,
                    "train.ema_warmup": False}
# the LAPGAN preset of round five (lapgan/standing: batch 64 and 4,000 steps at every level)
EARLY = {**ROUND_SIX_LAPGAN, "growth.batch_sizes": [32, 16, 32], "train.steps": 28000}
B16_MID = {**ROUND_SIX_LAPGAN, "growth.batch_sizes": [64, 16, 32]}
RPGAN = {**ROUND_SIX_LAPGAN, "loss.name": "rpgan", "loss.r1": 1.0, "loss.r2": 1.0, "loss.r1_every": 4}
# its level 0 alone, then with 512k and (in batches of 128) 1,024k images
G0 = {**ROUND_SIX_LAPGAN, "train.steps": 4000}
G0_LONG = {**ROUND_SIX_LAPGAN, "growth.stable": 0, "growth.stable_images": [512000, 256000, 256000]}
G0_XLONG = {**ROUND_SIX_LAPGAN, "growth.stable": 0, "growth.stable_images": [1024000, 256000, 256000],
            "growth.batch_sizes": [128, 32, 32], "train.steps": 8000}
# the LAPGAN preset of round eight (lapgan/g0long: 512k images at 8 px, the EMA without warm-up)
ROUND_EIGHT_LAPGAN = {"growth.stable_images": [512000, 256000, 256000], "train.steps": 24000,
                      "train.ema_warmup": False}
# round nine's (lapgan/warm_224: 224k images at 32 px, the EMA warmed up from each level's start), spelt out
ROUND_NINE_LAPGAN = {"growth.stable_images": [512000, 256000, 224000], "train.steps": 23000,
                     "train.ema_warmup": True}
ROUND_FIVE_LAPGAN = {**ROUND_SIX_LAPGAN, "growth.stable": 0, "growth.batch_sizes": [], "train.steps": 12000}
ROUND_FOUR_LAPGAN = {**ROUND_FIVE_LAPGAN, "train.standing_stats": 0}
ROUND_THREE_LAPGAN = {**ROUND_FOUR_LAPGAN, "model.refiner": "convs", "train.precision": "fp32"}
# level 0 (G_0, D_0) alone, at 16 px
PROBE8 = {**ROUND_FIVE_LAPGAN, "data.resolution": 16, "train.steps": 4000, "growth.stable": 256000}
PROBE16 = {**ROUND_THREE_LAPGAN, "data.resolution": 16, "train.steps": 8000}  # levels 0 and 1 only
EARLIER_LAPGAN = {**ROUND_THREE_LAPGAN, "model.mbstd_by_class": False, "train.g_lr": 2e-4, "train.d_lr": 2e-4,
                  "train.steps": 9000}


def suffix(seed: int) -> str:
    """A row's name for a training seed other than the preset's 0."""
    return f"_seed{seed}" if seed else ""


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
    **{f"vanilla/d4e4{suffix(seed)}": (
        "vanilla-fashion32", {"train.seed": seed},
        f"rpgan_30k{f' with seed {seed}' if seed else ''} and D twice as fast (2e-4 / 4e-4): today's preset")
       for seed in range(4)},
    **{f"vanilla/45k_seed{s}": ("vanilla-fashion32", {"train.d_lr": 2e-4, "train.steps": 45000, "train.seed": s},
                                f"rpgan_30k with seed {s} for 45,000 steps") for s in (1, 2)},
    "dcgan/preset": ("dcgan-fashion32", {}, "the preset"),
    # lapgan rows are today's preset with what each changed; the first four ran the earlier scheme (G_k
    # conditioned on generated coarse images, D_k judging the residual alone), which no longer exists;
    # ROUND_THREE_LAPGAN is the preset of rounds two and three (context_ttur)
    "lapgan/preset": ("lapgan-fashion32", EARLIER_LAPGAN,
                      "the earlier preset (3,000 steps per level, lr 2e-4), earlier scheme"),
    "lapgan/by_class": ("lapgan-fashion32", {**EARLIER_LAPGAN, "model.mbstd_by_class": True},
                        "each D_k with the class-wise minibatch-stddev map at 4×4, earlier scheme"),
    "lapgan/class_long": ("lapgan-fashion32", {**ROUND_THREE_LAPGAN, "train.g_lr": 2e-4, "train.d_lr": 2e-4,
                                               "growth.stable": 0, "train.steps": 15000},
                          "the class-wise map, 5,000 steps per level, earlier scheme"),
    "lapgan/ttur_d2": ("lapgan-fashion32", {**ROUND_THREE_LAPGAN, "train.steps": 9000, "train.d_steps": 2},
                       "the class-wise map, G slower than D (1e-4 / 4e-4), 2 D steps per G step, earlier scheme"),
    "lapgan/context_ttur": ("lapgan-fashion32", ROUND_THREE_LAPGAN,
                            "G_k refines real coarse images and D_k sees them (the paper's scheme), the class-wise "
                            "map, G slower than D (1e-4 / 4e-4), 4,000 steps per level: the preset of rounds two "
                            "and three"),
    "lapgan/context_rpgan": ("lapgan-fashion32", {**ROUND_THREE_LAPGAN, "loss.name": "rpgan", "loss.r1": 1.0,
                                                  "loss.r2": 1.0, "loss.r1_every": 4},
                             "context_ttur with R3GAN's loss (relativistic pairing, lazy R1 and R2 γ 1) for BCE"),
    "lapgan/context_b0": ("lapgan-fashion32", {**ROUND_THREE_LAPGAN, "train.g_lr": 2e-4, "train.d_lr": 2e-4,
                                               "train.beta1": 0.0, "train.beta2": 0.99},
                          "the paper's scheme, the class-wise map, equal learning rates (2e-4), Adam β (0, 0.99), "
                          "4,000 steps per level"),
    "lapgan/mode_seeking": ("lapgan-fashion32", {**ROUND_THREE_LAPGAN, "loss.mode_seeking": 1.0},
                            "context_ttur with MSGAN's mode-seeking term (λ 1) on each G_k"),
    "lapgan/wide_bf16": ("lapgan-fashion32", {**ROUND_THREE_LAPGAN, "model.ch": 16, "model.d_ch": 16,
                                              "train.precision": "auto", "train.steps": 9000},
                         "context_ttur with G_k and D_k twice as wide (64 channels), bf16 where native, 3,000 "
                         "steps per level"),
    "lapgan/unet": ("lapgan-fashion32", {**ROUND_FOUR_LAPGAN, "train.precision": "fp32"},
                    "context_ttur with U-Net G_k (down to a quarter of the level's size and back, with skips)"),
    "lapgan/unet_bf16": ("lapgan-fashion32", ROUND_FOUR_LAPGAN, "unet in bf16 where native"),
    "lapgan/unet_bf16_seed1": ("lapgan-fashion32", {**ROUND_FOUR_LAPGAN, "train.seed": 1}, "unet_bf16 with seed 1"),
    "lapgan/unet_bf16_mbf4": ("lapgan-fashion32", {**ROUND_FOUR_LAPGAN, "model.mbstd_features": 4},
                              "unet_bf16 with the class-wise map as 4 values (D's channels in 4 groups)"),
    "lapgan/standing": ("lapgan-fashion32", ROUND_FIVE_LAPGAN,
                        "unet_bf16 sampled with standing BN statistics (20 batches of 64): the preset of round five"),
    "lapgan/standing_seed2": ("lapgan-fashion32", {**ROUND_FIVE_LAPGAN, "train.seed": 2}, "standing with seed 2"),
    "lapgan/standing_ms03": ("lapgan-fashion32", {**ROUND_FIVE_LAPGAN, "loss.mode_seeking": 0.3},
                             "standing with MSGAN's mode-seeking term (λ 0.3) on each G_k"),
    "lapgan/standing_ms1": ("lapgan-fashion32", {**ROUND_FIVE_LAPGAN, "loss.mode_seeking": 1.0},
                            "standing with MSGAN's mode-seeking term (λ 1) on each G_k"),
    # 16 px probes: levels 0 and 1 only (8 and 16 px, 4,000 steps each), scored against the training images at
    # 16 px, to see what G_1 needs
    "lapgan/probe16": ("lapgan-fashion32", PROBE16, "16 px probe: context_ttur at 8 and 16 px"),
    "lapgan/probe16_ms": ("lapgan-fashion32", {**PROBE16, "loss.mode_seeking": 1.0},
                          "16 px probe with the mode-seeking term (λ 1)"),
    "lapgan/probe16_wide": ("lapgan-fashion32", {**PROBE16, "model.ch": 16, "model.d_ch": 16},
                            "16 px probe with G_k and D_k twice as wide (64 channels)"),
    "lapgan/probe16_unet": ("lapgan-fashion32", {**PROBE16, "model.refiner": "unet"}, "16 px probe with a U-Net G_1"),
    "lapgan/probe16_unet_cn01": ("lapgan-fashion32", {**PROBE16, "model.refiner": "unet", "model.context_noise": 0.1},
                                 "probe16_unet with G_1 reading its real coarse image through noise of std 0.1"),
    "lapgan/batch32": ("lapgan-fashion32", ROUND_SIX_LAPGAN,
                       "standing with batch 32 at 16 and 32 px: twice the refining levels' updates for the same "
                       "images (8,000 steps each, 20,000 in all): the preset of rounds six and seven"),
    "lapgan/batch32_seed1": ("lapgan-fashion32", {**ROUND_SIX_LAPGAN, "train.seed": 1}, "batch32 with seed 1"),
    "lapgan/batch32_seed2": ("lapgan-fashion32", {**ROUND_SIX_LAPGAN, "train.seed": 2}, "batch32 with seed 2"),
    "lapgan/batch32_seed3": ("lapgan-fashion32", {**ROUND_SIX_LAPGAN, "train.seed": 3},
                             "batch32 with seed 3 (two threads, alone on the cores)"),
    "lapgan/batch32_all_seed1": ("lapgan-fashion32", {**ROUND_SIX_LAPGAN, "growth.batch_sizes": [32, 32, 32],
                                                      "train.steps": 24000, "train.seed": 1},
                                 "batch32_seed1 with batch 32 at 8 px too (24,000 steps)"),
    # G_2 refining real 16 px images scores recall 0.8, the chain at 16 px 0.43 / 0.32 (lapgan_levels.py): the
    # first two levels lose the variety, so give them the updates and end the last level early
    "lapgan/early": ("lapgan-fashion32", EARLY,
                     "batch32 with batch 32 at 8 px and 16 at 16 px (8,000 and 16,000 steps), the 32 px level "
                     "ended after half its images (4,000 steps)"),
    "lapgan/early_seed1": ("lapgan-fashion32", {**EARLY, "train.seed": 1}, "early with seed 1"),
    "lapgan/rpgan": ("lapgan-fashion32", RPGAN,
                     "batch32 with R3GAN's loss (relativistic pairing, R1 and R2 γ 1 every 4 D steps) for BCE"),
    "lapgan/rpgan_seed1": ("lapgan-fashion32", {**RPGAN, "train.seed": 1}, "rpgan with seed 1"),
    "lapgan/lecam": ("lapgan-fashion32", {**ROUND_SIX_LAPGAN, "loss.lecam": 0.3},
                     "batch32 with LeCam λ 0.3 (anchors' decay 0.99)"),
    "lapgan/lecam_seed1": ("lapgan-fashion32", {**ROUND_SIX_LAPGAN, "loss.lecam": 0.3, "train.seed": 1},
                           "lecam with seed 1"),
    "lapgan/ada": ("lapgan-fashion32", {**ROUND_SIX_LAPGAN, "augment.diffaugment": "translation,color",
                                        "augment.p": 0.0, "augment.ada_target": 0.6, "augment.ada_images": 64000},
                   "batch32 with adaptive p on DiffAugment's translation and colour (target 0.6, 0→1 within 64k "
                   "images)"),
    "lapgan/batch16_mid_seed1": ("lapgan-fashion32", {**B16_MID, "train.steps": 28000, "train.seed": 1},
                                 "batch32_seed1 with batch 16 at 16 px: twice G_1's updates again (16,000 steps; "
                                 "28,000 in all)"),
    # from here on the EMA keeps each finished level's average (before, it drifted to the level's last weights)
    "lapgan/level_ema_seed1": ("lapgan-fashion32", {**ROUND_SIX_LAPGAN, "train.seed": 1},
                               "batch32_seed1 with the EMA keeping each finished level's average"),
    "lapgan/early_images": ("lapgan-fashion32", {**ROUND_SIX_LAPGAN, "growth.stable": 384000, "train.steps": 22000},
                            "batch32 with 384k images per level (6,000 steps at 8 px, 12,000 at 16 px), the 32 px "
                            "level ended after a third of them (4,000 steps)"),
    # G_1 on real 8 px images rose 0.58 → 0.69 with batch 16 (batch16_mid_seed1); pay for it at 32 px, where
    # 4,000 steps cost G_2 0.1 of recall (early) and 8,000 kept 0.79
    "lapgan/b16_g2short": ("lapgan-fashion32", {**B16_MID, "train.steps": 26000},
                           "batch 16 at 16 px (16,000 steps), the 32 px level ended after 6,000 steps (192k images)"),
    "lapgan/b16_g2short_seed1": ("lapgan-fashion32", {**B16_MID, "train.steps": 26000, "train.seed": 1},
                                 "b16_g2short with seed 1"),
    # G_0 alone (the run ends with its level; lapgan_levels.py --levels 1 --own-size scores it at 8 px): with G_1
    # at 0.69 on real 8 px images, G_0's chain (0.47-0.53) is what holds the 16 px chain at 0.37-0.38
    "lapgan/g0": ("lapgan-fashion32", G0, "G_0 of the preset of rounds six and seven alone (4,000 steps)"),
    "lapgan/g0_seed1": ("lapgan-fashion32", {**G0, "train.seed": 1}, "g0 with seed 1"),
    "lapgan/g0_lecam": ("lapgan-fashion32", {**G0, "loss.lecam": 0.3}, "g0 with LeCam λ 0.3"),
    "lapgan/g0_lecam_seed1": ("lapgan-fashion32", {**G0, "loss.lecam": 0.3, "train.seed": 1}, "g0_lecam with seed 1"),
    "lapgan/g0_glr2": ("lapgan-fashion32", {**G0, "train.g_lr": 2e-4}, "g0 with G's rate 2e-4"),
    "lapgan/g0_glr2_seed1": ("lapgan-fashion32", {**G0, "train.g_lr": 2e-4, "train.seed": 1}, "g0_glr2 with seed 1"),
    "lapgan/g0_long": ("lapgan-fashion32", {**G0_LONG, "train.steps": 8000}, "g0 with 512k images (8,000 steps)"),
    "lapgan/g0_long_seed1": ("lapgan-fashion32", {**G0_LONG, "train.steps": 8000, "train.seed": 1},
                             "g0_long with seed 1"),
    "lapgan/g0_xlong_b128": ("lapgan-fashion32", G0_XLONG,
                             "g0 with 1,024k images in batches of 128 (8,000 steps)"),
    "lapgan/g0_xlong_b128_seed1": ("lapgan-fashion32", {**G0_XLONG, "train.seed": 1}, "g0_xlong_b128 with seed 1"),
    # G_0 with twice the images (512k) drew 8 px images at recall 0.59 / 0.63 against 0.53 / 0.47 (g0_long)
    "lapgan/g0long": ("lapgan-fashion32", ROUND_EIGHT_LAPGAN,
                      "batch32 with 512k images at 8 px (8,000 steps; 24,000 in all): round eight's preset"),
    "lapgan/g0long_seed1": ("lapgan-fashion32", {**ROUND_EIGHT_LAPGAN, "train.seed": 1}, "g0long with seed 1"),
    "lapgan/g0long_seed2": ("lapgan-fashion32", {**ROUND_EIGHT_LAPGAN, "train.seed": 2}, "g0long with seed 2"),
    "lapgan/g0long_seed3": ("lapgan-fashion32", {**ROUND_EIGHT_LAPGAN, "train.seed": 3},
                            "g0long with seed 3 (two threads, alone on the cores)"),
    "lapgan/g0long_b16": ("lapgan-fashion32", {**ROUND_EIGHT_LAPGAN, "growth.stable_images": [512000, 192000, 192000],
                                               "growth.batch_sizes": [64, 16, 32], "train.steps": 26000},
                          "512k images at 8 px (8,000 steps), 192k at 16 px with batch 16 (12,000 steps) and at "
                          "32 px (6,000 steps)"),
    # the budget: g0long_seed3 took 25.8 min alone on two threads (32 px: 15.0 of them); the EMA now warms up
    # from each level's start (train.ema_warmup), so that short levels end on trained weights
    "lapgan/warm_224": ("lapgan-fashion32", ROUND_NINE_LAPGAN,
                        "g0long with the EMA's warm-up and 224k images at 32 px (7,000 steps): today's preset"),
    "lapgan/warm_224_seed1": ("lapgan-fashion32", {**ROUND_NINE_LAPGAN, "train.seed": 1},
                              "warm_224 with seed 1 (two threads, alone on the cores)"),
    "lapgan/warm_224_seed2": ("lapgan-fashion32", {**ROUND_NINE_LAPGAN, "train.seed": 2}, "warm_224 with seed 2"),
    "lapgan/warm_224_seed3": ("lapgan-fashion32", {**ROUND_NINE_LAPGAN, "train.seed": 3}, "warm_224 with seed 3"),
    # warm_224_seed3 fell to recall 0.374: the 32 px level's images, the warm-up or the machine (round eight's
    # g0long_seed3, 0.410, ran on the AMD EPYC; these on the Intel Xeon)? None of the first two: 0.382 and 0.370
    "lapgan/warm_256_seed3": ("lapgan-fashion32", {**ROUND_NINE_LAPGAN, "train.steps": 24000, "train.seed": 3,
                                                   "growth.stable_images": [512000, 256000, 256000]},
                              "warm_224_seed3 with 256k images at 32 px (8,000 steps)"),
    "lapgan/g0long_seed3_xeon": ("lapgan-fashion32", {**ROUND_EIGHT_LAPGAN, "train.seed": 3},
                                 "g0long_seed3 again, on the Intel Xeon"),
    # seed 3 loses its variety in G_1 refining G_0's images: the 32 px level's time given to G_1 instead
    # (seed 3's 16 px chain 0.436 -> 0.458, its model 0.374 -> 0.373; seed 0 0.452 -> 0.405)
    "lapgan/g1long": ("lapgan-fashion32", {**ROUND_NINE_LAPGAN, "growth.stable_images": [512000, 320000, 192000],
                                           "train.steps": 24000},
                      "warm_224 with 320k images at 16 px (10,000 steps) and 192k at 32 px (6,000 steps)"),
    "lapgan/g1long_seed3": ("lapgan-fashion32", {**ROUND_NINE_LAPGAN, "growth.stable_images": [512000, 320000, 192000],
                                                 "train.steps": 24000, "train.seed": 3}, "g1long with seed 3"),
    "lapgan/warm_192": ("lapgan-fashion32", {**ROUND_NINE_LAPGAN, "growth.stable_images": [512000, 256000, 192000],
                                             "train.steps": 22000},
                        "g0long with the EMA's warm-up and 192k images at 32 px (6,000 steps)"),
    # round ten: G_k also refines the finished generators' images (a share of each batch), as it does at sampling
    "lapgan/gchain50_seed3": ("lapgan-fashion32", {**ROUND_NINE_LAPGAN, "model.chain_share": 0.5, "train.seed": 3},
                              "warm_224_seed3 with half of G's batch refining G_0 .. G_{k-1}'s images"),
    "lapgan/gchain25_seed3": ("lapgan-fashion32", {**ROUND_NINE_LAPGAN, "model.chain_share": 0.25, "train.seed": 3},
                              "warm_224_seed3 with a quarter of G's batch refining G_0 .. G_{k-1}'s images"),
    "lapgan/gchain50": ("lapgan-fashion32", {**ROUND_NINE_LAPGAN, "model.chain_share": 0.5},
                        "warm_224 with half of G's batch refining G_0 .. G_{k-1}'s images"),
    "lapgan/gchain50_seed1": ("lapgan-fashion32", {**ROUND_NINE_LAPGAN, "model.chain_share": 0.5, "train.seed": 1},
                              "gchain50 with seed 1"),
    # G_0 given twice the images again (1,024k in batches of 128: recall 0.66 at 8 px in round eight's probes)
    "lapgan/g0x_seed1": ("lapgan-fashion32", {**ROUND_NINE_LAPGAN, "growth.stable_images": [1024000, 256000, 224000],
                                              "growth.batch_sizes": [128, 32, 32], "train.seed": 1},
                         "warm_224 with 1,024k images in batches of 128 at 8 px (8,000 steps), seed 1"),
    "lapgan/g0x_seed3": ("lapgan-fashion32", {**ROUND_NINE_LAPGAN, "growth.stable_images": [1024000, 256000, 224000],
                                              "growth.batch_sizes": [128, 32, 32], "train.seed": 3},
                         "warm_224 with 1,024k images in batches of 128 at 8 px (8,000 steps), seed 3"),
    "lapgan/probe8": ("lapgan-fashion32", PROBE8, "8 px probe: round five's preset at 8 px (G_0 and D_0 alone)"),
    "lapgan/probe8_d16": ("lapgan-fashion32", {**PROBE8, "model.d_ch": 16}, "8 px probe with D_0 twice as wide"),
    "lapgan/probe8_g16": ("lapgan-fashion32", {**PROBE8, "model.ch": 16}, "8 px probe with G_0 twice as wide"),
    "lapgan/probe8_lr2": ("lapgan-fashion32", {**PROBE8, "train.g_lr": 2e-4, "train.d_lr": 2e-4},
                          "8 px probe with equal learning rates (2e-4), as DCGAN"),
    "lapgan/probe8_rpgan": ("lapgan-fashion32", {**PROBE8, "loss.name": "rpgan", "loss.r1": 1.0, "loss.r2": 1.0,
                                                 "loss.r1_every": 4},
                            "8 px probe with R3GAN's loss (lazy R1 and R2 γ 1)"),
    "lapgan/probe16_standing": ("lapgan-fashion32", {**ROUND_FIVE_LAPGAN, "data.resolution": 16,
                                                     "train.steps": 8000},
                                "16 px probe of round five's preset (U-Net G_1, bf16 where native, standing "
                                "statistics)"),
    "lapgan/probe16_unet_mbf4": ("lapgan-fashion32", {**PROBE16, "model.refiner": "unet", "model.mbstd_features": 4},
                                 "probe16_unet with the class-wise map as 4 values (D's channels in 4 groups)"),
    "lapgan/d8e4": ("lapgan-fashion32", {"train.d_lr": 8e-4}, "warm_224 with D twice as fast (1e-4 / 8e-4)"),
    "lapgan/d8e4_seed1": ("lapgan-fashion32", {"train.d_lr": 8e-4, "train.seed": 1},
                          "warm_224_seed1 with D twice as fast (1e-4 / 8e-4)"),
    "lapgan/d8e4_seed2": ("lapgan-fashion32", {"train.d_lr": 8e-4, "train.seed": 2},
                          "warm_224_seed2 with D twice as fast (1e-4 / 8e-4)"),
    "lapgan/d8e4_seed3": ("lapgan-fashion32", {"train.d_lr": 8e-4, "train.seed": 3},
                          "warm_224_seed3 with D twice as fast (1e-4 / 8e-4)"),
    # round twelve: a longer EMA, which changes nothing: the warm-up's (1 + n) / (10 + n) stays under 0.999 for
    # levels under 8,991 steps, so ema9995 trains warm_224 again (seed 0 bit for bit; seed 1 on one thread)
    **{f"lapgan/ema9995{suffix(seed)}": (
        "lapgan-fashion32", {"train.ema_decay": 0.9995, "train.seed": seed},
        f"warm_224{suffix(seed)} with EMA 0.9995") for seed in range(2)},
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
                                                     "train.precision": "fp32", "train.steps": 5000},
                              "ch 8, attention at 16 only, the demo's lrs (2e-4 / 4e-4), 5,000 steps"),
    "biggan_deep/class8k": ("fashion32-deep-cpu", {"model.d_ch": 8, "train.steps": 8000},
                            "ch8_att16 with the class-wise map before D's last block, a 64-d latent, bf16 where "
                            "native, 8,000 steps"),
    "biggan_deep/class_dch16": ("fashion32-deep-cpu", {},
                                "class8k with D twice as wide (d_ch 16), 6,000 steps: today's preset"),
    # round twelve: the cGAN and vanilla (of round eleven) presets trained with seeds 1 to 3, BigGAN-deep's with 1
    **{f"{key}_seed{seed}": (preset, {**undo, "train.seed": seed}, f"{key.split('/')[1]} with seed {seed}")
       for key, preset, undo, seeds in [("cgan/rpgan_ttur_30k", "cgan-fashion32", {}, (1, 2, 3)),
                                        ("vanilla/rpgan_30k", "vanilla-fashion32", {"train.d_lr": 2e-4}, (1, 2, 3)),
                                        ("biggan_deep/class_dch16", "fashion32-deep-cpu", {}, (1,))]
       for seed in seeds},
}
