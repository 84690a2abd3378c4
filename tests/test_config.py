import pytest

from ganforge.config import Config, ConfigError, load_config_file, load_preset, parse_override, preset_names


def test_presets_load_and_validate():
    assert {"fashion32-cpu", "cifar10-biggan", "imagenet128-biggan"} <= set(preset_names())
    for name in preset_names():
        load_preset(name).validate()


def test_every_family_has_a_cpu_preset_on_the_embedded_data():
    from ganforge.models.registry import FAMILIES
    cpu = {}
    for name in preset_names():
        c = load_preset(name)
        if c.data.source == "fashion-mnist" and c.train.device in ("auto", "cpu"):
            cpu.setdefault(c.model.name, []).append(name)
    assert set(FAMILIES) <= set(cpu), f"families without a preset: {set(FAMILIES) - set(cpu)}"


def test_imagenet128_preset_has_the_released_settings():
    c = load_preset("imagenet128-biggan")
    assert (c.model.ch, c.model.dim_z, c.model.shared_dim, c.model.options.hier) == (96, 120, 128, True)
    assert (c.train.batch_size, c.train.accumulate, c.train.d_steps) == (256, 8, 1)
    assert (c.train.g_lr, c.train.d_lr, c.train.ema_start, c.model.options.sn_eps) == (1e-4, 4e-4, 20000, 1e-6)
    assert c.model.options.g_attention == [64] and c.model.options.d_attention == [64]


def test_overrides_are_typed():
    c = Config()
    for text in ["train.steps=500", "train.g_lr=1e-4", "model.biggan.hier=false", "model.g_attention=[16, 32]",
                 "model.d_attention=8,16", "data.source=~/x"]:
        c.set(*parse_override(text))
    assert c.train.steps == 500 and c.train.g_lr == 1e-4 and c.model.options.hier is False
    assert c.model.options.g_attention == [16, 32] and c.model.options.d_attention == [8, 16]
    c.set("train.steps", "1e6")
    assert c.train.steps == 1_000_000


@pytest.mark.parametrize("text,message", [
    ("train.stepz=5", "unknown key 'train.stepz'; valid keys in 'train': steps, batch_size"),
    ("trian.steps=5", "unknown key 'trian.steps'"),
    ("train.steps=-1", "out of range: expected 0 to"),
    ("train.steps=1.5", "expected an integer"),
    ("train.g_lr=fast", "expected a finite number"),
    ("model.init=kaiming", "choose one of ortho, N02, xavier"),
    ("data.channels=2", "choose one of 1, 3"),
    ("model.hier=maybe", "true or false"),
    ("model.g_attention=[a]", "a list of integers"),
    ("steps", "expected KEY=VALUE"),
])
def test_bad_overrides_say_what_is_allowed(text, message):
    with pytest.raises(ConfigError, match=message):
        Config().set(*parse_override(text))


def test_cross_field_validation():
    c = Config()
    c.data.resolution = 48
    with pytest.raises(ConfigError, match="not a power of two"):
        c.validate()


def test_config_files_round_trip(tmp_path):
    c = load_preset("fashion32-cpu")
    (tmp_path / "c.yaml").write_text(c.to_yaml())
    (tmp_path / "c.json").write_text(c.to_json())
    assert load_config_file(tmp_path / "c.yaml") == c == load_config_file(tmp_path / "c.json")
    (tmp_path / "bad.yaml").write_text("model: {nope: 1}")
    with pytest.raises(ConfigError, match="bad.yaml: unknown key 'model.nope'"):
        load_config_file(tmp_path / "bad.yaml")
    with pytest.raises(ConfigError, match="unknown preset 'nope'; available presets: cgan-fashion32, cifar10-biggan"):
        load_preset("nope")


@pytest.mark.parametrize("name", ["progan-fashion32", "lapgan-fashion32"])
def test_a_growing_preset_ends_where_its_schedule_does(name):
    # the preset's train.steps must cover each level's images at that level's batch size, no more: a preset
    # whose steps fall short never trains its last level to the end, one whose steps run over trains it longer
    from ganforge.models.growing import level_count
    from ganforge.models.registry import family
    from ganforge.training.growth import Growth
    cfg = load_preset(name).validate()
    G = family(cfg.model.name).generator
    growth = Growth(cfg, level_count(cfg.data.resolution, G.base_resolution), G.base_resolution, G.fades)
    steps = growth.stables[0] / growth.batch_sizes[0] + sum((growth.fade + stable) / b for stable, b in
                                                            zip(growth.stables[1:], growth.batch_sizes[1:]))
    assert steps == cfg.train.steps
