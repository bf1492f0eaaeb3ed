"""Version-sensitive facts of the serving and LLMs part, read from the installed packages."""

from __future__ import annotations

import inspect
import warnings

import pytest
import torch
import transformers
from transformers import Cache, DynamicCache, LlamaForCausalLM, QuantizedCache


def test_forward_takes_cache_and_past_key_values_is_deprecated(model) -> None:
    parameters = inspect.signature(LlamaForCausalLM.forward).parameters
    assert "cache" in parameters and "past_key_values" not in parameters
    ids = torch.tensor([[1, 2, 3]])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = model(input_ids=ids, past_key_values=DynamicCache(), use_cache=True)
    messages = [str(w.message) for w in caught if issubclass(w.category, FutureWarning)]
    assert any(
        "`past_key_values` is deprecated and will be removed in version 5.40.0" in m
        and "Use `cache` instead" in m
        for m in messages
    ), messages
    assert isinstance(out.cache, DynamicCache)  # returned as `cache`, no past_key_values
    assert set(out.keys()) == {"logits", "cache"}


def test_dynamic_cache_keeps_keys_and_values_per_layer_and_kv_head(model) -> None:
    cache = DynamicCache()
    with torch.inference_mode():
        model(input_ids=torch.zeros(3, 5, dtype=torch.long), cache=cache, use_cache=True)
    config = model.config
    assert len(cache.layers) == config.num_hidden_layers
    shape = (3, config.num_key_value_heads, 5, config.head_dim)
    for layer in cache.layers:
        assert tuple(layer.keys.shape) == shape and tuple(layer.values.shape) == shape


def test_quantized_cache_backends(model) -> None:
    assert issubclass(QuantizedCache, Cache)
    assert "nbits" in inspect.signature(QuantizedCache.__init__).parameters
    with pytest.raises(ValueError, match="Unknown quantization backend"):
        QuantizedCache("int3", model.config)
    for backend, package in (("quanto", "optimum-quanto"), ("hqq", "hqq")):
        try:  # a known backend: it works, or it names the package it needs
            QuantizedCache(backend, model.config)
        except ImportError as error:
            assert package in str(error)
    cache = QuantizedCache("fp8", model.config)  # needs nothing beyond torch
    assert type(cache.layers[0]).__name__ == "Fp8QuantizedLayer"
    assert transformers.__version__.startswith("5.")
