"""LAPGAN's variants of the family search (benchmarks/family_search.py, through family_variants.py), kept apart as
the largest family's search: each a preset and the keys it changes, with what it tests. Rows of earlier rounds
undo what later presets changed, so every row reproduces its result."""
from __future__ import annotations

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

# "lapgan/name": (preset, overrides, what it tests)
LAPGAN_VARIANTS = {
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
    "lapgan/ema9995": ("lapgan-fashion32", {"train.ema_decay": 0.9995}, "warm_224 with EMA 0.9995"),
    "lapgan/ema9995_seed1": ("lapgan-fashion32", {"train.ema_decay": 0.9995, "train.seed": 1},
                             "warm_224_seed1 with EMA 0.9995"),
    # round thirteen: the EMA's horizon through its warm-up (train.ema_warmup_horizon: the horizon as a fraction of
    # the level's steps so far, 1/9 in the preset) on seed 2; for longer horizons the cap is raised to 0.9999 so that
    # it never binds. The EMA does not feed back into training: each row trains warm_224_seed2's G step for step
    **{f"lapgan/ema_h{tag}_seed2": ("lapgan-fashion32", {**({"train.ema_decay": 0.9999} if h > 1 / 9 else {}),
                                                         "train.ema_warmup_horizon": h, "train.seed": 2},
                                    f"warm_224_seed2 with the EMA's horizon {text} of the level's steps so far")
       for tag, h, text in (("2", 0.5, "half"), ("4", 0.25, "a quarter"), ("20", 0.05, "a twentieth"),
                            ("50", 0.02, "a fiftieth"))},
}
