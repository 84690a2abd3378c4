"""The Gradio interface of ``ganforge serve``: a thin layer over :class:`~ganforge.web.handlers.DemoModel`,
which validates every input on the server."""
from __future__ import annotations

import functools

from ..errors import GanforgeError
from .handlers import FOCUS_REGIONS, MAX_SEED, MAX_STEPS, DemoModel


def _answer(fn):
    """Turn a GanforgeError into a message shown in the page (the server carries on)."""
    import gradio as gr

    @functools.wraps(fn)
    def call(*args):
        try:
            return fn(*args)
        except GanforgeError as e:
            raise gr.Error(str(e)) from None
    return call


def build_app(model: DemoModel, title: str = "ganforge"):
    import gradio as gr
    names = model.class_names
    top_psi = 1.0 if model.tfhub else 2.0
    # Gradio keeps its own copy of each returned file: clear those older than an hour, every ten minutes
    with gr.Blocks(title=title, analytics_enabled=False, delete_cache=(600, 3600)) as app:
        gr.Markdown(f"## {title}\n{len(names)} classes · {model.size}×{model.size} px · "
                    f"truncation ψ 0 = off")
        with gr.Tab("Generate"):
            with gr.Row():
                cls = gr.Dropdown(names, value=names[0], label="class", elem_id="class")
                seed = gr.Number(value=0, precision=0, minimum=0, maximum=MAX_SEED, label="seed", elem_id="seed")
                psi = gr.Slider(0.0, top_psi, value=0.0 if not model.tfhub else 0.5, step=0.05,
                                label="truncation ψ", elem_id="psi")
                n = gr.Slider(1, model.max_images, value=min(16, model.max_images), step=1, label="images",
                              elem_id="n")
            go = gr.Button("Generate", variant="primary", elem_id="generate")
            grid = gr.Image(type="pil", format="png", label="samples", interactive=False, elem_id="grid")
            png = gr.File(label="download PNG", elem_id="download")
            go.click(_answer(model.sample_grid), [cls, seed, psi, n], [grid, png], api_name="generate")
        with gr.Tab("Interpolate"):
            with gr.Row():
                a = gr.Dropdown(names, value=names[0], label="from class")
                b = gr.Dropdown(names, value=names[-1], label="to class")
                s0 = gr.Number(value=0, precision=0, minimum=0, maximum=MAX_SEED, label="from seed")
                s1 = gr.Number(value=-1, precision=0, minimum=-1, maximum=MAX_SEED, label="to seed (-1 = same)")
                steps = gr.Slider(2, MAX_STEPS, value=8, step=1, label="steps")
                psi_i = gr.Slider(0.0, top_psi, value=0.0 if not model.tfhub else 0.5, step=0.05,
                                  label="truncation ψ")
            go_i = gr.Button("Interpolate", variant="primary")
            strip = gr.Image(type="pil", format="png", label="strip", interactive=False)
            gif = gr.File(label="animated GIF")
            go_i.click(_answer(model.interpolate), [a, b, s0, s1, steps, psi_i], [strip, gif], api_name="interpolate")
        if model.has_attention:
            _attention_tab(gr, model, names, top_psi)
    return app


def _attention_tab(gr, model: DemoModel, names: list[str], top_psi: float) -> None:
    with gr.Tab("Attention"):
        with gr.Row():
            cls = gr.Dropdown(names, value=names[0], label="class")
            seed = gr.Number(value=0, precision=0, minimum=0, maximum=MAX_SEED, label="seed")
            psi = gr.Slider(0.0, top_psi, value=0.0 if not model.tfhub else 0.5, step=0.05, label="truncation ψ")
        show = gr.Button("Show sample", variant="primary", elem_id="show-sample")
        with gr.Row():
            picture = gr.Image(type="pil", format="png", label="click a point to see where it attends",
                               interactive=False, elem_id="attention-sample")
            maps = gr.Image(type="pil", format="png", label="attention of the clicked point, per layer",
                            interactive=False, elem_id="attention-maps")
        show.click(_answer(model.attention_sample), [cls, seed, psi], picture, api_name="attention_sample")

        def clicked(c, s, p, evt):
            return _answer(model.attention_maps)(c, s, p, evt.index[0], evt.index[1])
        clicked.__annotations__["evt"] = gr.SelectData  # a real class, not a postponed string: Gradio injects it
        picture.select(clicked, [cls, seed, psi], maps)
        gr.Markdown("**Steer the attention** while sampling this class and seed")
        with gr.Row():
            n = gr.Slider(1, min(16, model.max_images), value=8, step=1, label="images")
            strength = gr.Slider(0.0, 4.0, value=1.0, step=0.1, label="strength (0 = off, 1 = as trained)")
            region = gr.Dropdown(list(FOCUS_REGIONS), value="none", label="focus region")
            weight = gr.Slider(-20.0, 20.0, value=4.0, step=0.5, label="focus weight (negative = away)")
            other = gr.Number(value=-1, precision=0, minimum=-1, maximum=MAX_SEED,
                              label="use the attention maps of seed (-1 = own)")
        steer = gr.Button("Generate steered")
        steered = gr.Image(type="pil", format="png", label="steered samples", interactive=False)
        steer.click(_answer(model.steered), [cls, seed, psi, n, strength, region, weight, other], steered,
                    api_name="steer")
