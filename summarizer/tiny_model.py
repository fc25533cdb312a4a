"""Tiny random-weight llama GGUFs for end-to-end tests against a real llama.cpp server.

    build_tiny_model(path, biased=True, seed=0, n_ctx=2048) -> path    the project's tiny model
    build_byte_model(path, seed=0, n_ctx=4096) -> path                 a second one, built differently

Both are about 0.5 MB (n_embd 64, 2 layers, 4 heads, n_ff 128, float32) and are written in well
under a second. Same seed, same bytes. Needs numpy and gguf (the `local` extra), imported lazily.

**The tiny model.** Its vocabulary is a gpt2-style byte-level BPE: the 256 bytes (through the usual
byte-to-unicode mapping), a handful of merges, and the ChatML control tokens `<|endoftext|>` (bos),
`<|im_start|>` and `<|im_end|>` (eos / end of turn). It carries a ChatML `tokenizer.chat_template`,
which llama.cpp recognises on both its jinja and its built-in template paths.

`biased=True` (the default) is the "better-behaved" variant: every token embedding shares one large
direction and the last layer adds nothing (its attention output and FFN down projections are zero),
so the final hidden state is nearly constant and the output projection acts as a per-token logit
bias: printable ASCII is about neutral (the double quote and the space a little higher, so JSON
strings close soon), control bytes, bytes >= 0x7F, the backslash and the other control tokens are
pushed far down, and `<|im_end|>` is raised a little. Answers are short printable ASCII,
and constrained (json_schema / json_object) answers finish quickly. `biased=False` is plain random
weights: the model babbles random bytes (often invalid UTF-8), which is a good robustness test.

**The byte model** differs from the tiny model wherever a client could be fooled by assuming one:
- tokenizer: SentencePiece-style (`llama`) with nothing but byte-fallback tokens `<0x00>`..`<0xFF>`,
  so every UTF-8 byte is one token and every word boundary (the `▁` that SentencePiece puts before
  a word, 3 bytes) three more: about 5-6 tokens per tiktoken token on Indonesian news, where the
  tiny model's BPE gives about 4;
- weights: plain random (unbiased), so answers are random unicode unless a grammar constrains them;
- attention: grouped-query (2 KV heads for 4 query heads);
- chat template: Gemma's turn markers (`<start_of_turn>` / `<end_of_turn>`, no system role). Serve it
  with `use_jinja=False` (`BYTE_MODEL_USE_JINJA`): llama.cpp then formats prompts with its built-in
  gemma template, found from those markers, and skips the jinja path's output parser, which answers
  HTTP 500 on random text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from .errors import ConfigError

N_EMBD = 64
N_LAYER = 2
N_HEAD = 4
N_HEAD_KV = 4
N_FF = 128

BYTE_MODEL_N_HEAD_KV = 2
BYTE_MODEL_USE_JINJA = False  # see the module docstring: serve the byte model on the built-in template path

# a few merges so the BPE tokenizer has real work to do; each pair and its result are in the vocab
_MERGES = [("Ġ", "t"), ("h", "e"), ("i", "n"), ("Ġ", "a"), ("e", "r")]
_SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]

CHATML_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)

# Gemma's turns; a system message is folded into the first user turn, as llama.cpp's built-in gemma
# template does, so both template paths format the same prompt
GEMMA_TEMPLATE = (
    "{% set ns = namespace(system='') %}"
    "{% for message in messages %}"
    "{% if message['role'] == 'system' %}{% set ns.system = message['content'] + '\\n\\n' %}"
    "{% else %}"
    "{% set role = 'model' if message['role'] == 'assistant' else message['role'] %}"
    "{{ '<start_of_turn>' + role + '\\n' + ns.system + message['content'] + '<end_of_turn>\\n' }}"
    "{% set ns.system = '' %}"
    "{% endif %}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<start_of_turn>model\\n' }}{% endif %}"
)

_NORMAL, _UNKNOWN, _CONTROL, _BYTE = 1, 2, 3, 6  # llama.cpp token types (gguf.TokenType)


def _bytes_to_unicode() -> dict[int, str]:
    """GPT-2's reversible byte -> printable unicode character mapping."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1))
    bs += list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


def _vocab() -> tuple[list[str], list[int], dict[str, int]]:
    """Tokens, their llama.cpp token types, and the special-token ids."""
    b2u = _bytes_to_unicode()
    tokens = [b2u[b] for b in range(256)]  # token id == byte value
    tokens += [a + b for a, b in _MERGES]
    types = [_NORMAL] * len(tokens)
    special: dict[str, int] = {}
    for s in _SPECIALS:
        special[s] = len(tokens)
        tokens.append(s)
        types.append(_CONTROL)
    return tokens, types, special


def _byte_vocab() -> tuple[list[str], list[int], dict[str, int]]:
    """SentencePiece layout: <unk> <s> </s>, the 256 byte-fallback tokens, then the turn markers."""
    tokens = ["<unk>", "<s>", "</s>"] + [f"<0x{b:02X}>" for b in range(256)]
    types = [_UNKNOWN, _CONTROL, _CONTROL] + [_BYTE] * 256
    for marker in ("<start_of_turn>", "<end_of_turn>"):
        tokens.append(marker)
        types.append(_CONTROL)
    return tokens, types, {t: i for i, t in enumerate(tokens) if types[i] != _BYTE}


def _logit_bias(tokens: list[str], special: dict[str, int], rng) -> "np.ndarray":  # noqa: F821
    import numpy as np

    bias = np.zeros(len(tokens), dtype=np.float32)
    far_down = -30.0
    for b in range(256):
        if b < 0x20 or b >= 0x7F or b == ord("\\"):
            bias[b] = far_down
        else:
            bias[b] = float(rng.normal(0.0, 0.3))
    bias[ord('"')] += 2.0  # strings inside JSON answers close sooner
    bias[ord(" ")] += 1.0  # word-like text
    bias[special["<|endoftext|>"]] = far_down
    bias[special["<|im_start|>"]] = far_down
    bias[special["<|im_end|>"]] = 2.0  # end the turn after a dozen or so tokens
    return bias


def _imports():
    try:
        import gguf
        import numpy as np
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ConfigError(
            "building the tiny test model needs numpy and gguf (the 'local' extra)",
            hint="pip install 'summarizer[local]'",
        ) from exc
    return gguf, np


def _layer_tensors(tensors: dict, rand: Callable, *, n_head_kv: int, silent_last: bool) -> None:
    """The transformer blocks; `silent_last` zeroes the last block's contributions (see the biased model)."""
    import numpy as np

    head_dim = N_EMBD // N_HEAD
    ones = np.ones(N_EMBD, dtype=np.float32)
    for i in range(N_LAYER):
        last = silent_last and i == N_LAYER - 1
        p = f"blk.{i}."
        tensors[p + "attn_norm.weight"] = ones.copy()
        tensors[p + "attn_q.weight"] = rand(N_HEAD * head_dim, N_EMBD)
        tensors[p + "attn_k.weight"] = rand(n_head_kv * head_dim, N_EMBD)
        tensors[p + "attn_v.weight"] = rand(n_head_kv * head_dim, N_EMBD)
        o = rand(N_EMBD, N_HEAD * head_dim)
        tensors[p + "attn_output.weight"] = np.zeros_like(o) if last else o
        tensors[p + "ffn_norm.weight"] = ones.copy()
        tensors[p + "ffn_gate.weight"] = rand(N_FF, N_EMBD)
        tensors[p + "ffn_up.weight"] = rand(N_FF, N_EMBD)
        d = rand(N_EMBD, N_FF)
        tensors[p + "ffn_down.weight"] = np.zeros_like(d) if last else d


def _write_gguf(path: Path, *, name: str, n_ctx: int, n_head_kv: int, n_vocab: int,
                add_tokenizer: Callable, tensors: dict) -> Path:
    """Write a llama-architecture GGUF atomically (temp file + rename); `add_tokenizer(writer)` adds the vocab."""
    gguf, np = _imports()
    tmp = path.with_name(path.name + ".tmp")
    writer = gguf.GGUFWriter(str(tmp), "llama")
    try:
        writer.add_name(name)
        writer.add_file_type(gguf.LlamaFileType.ALL_F32)
        writer.add_context_length(n_ctx)
        writer.add_embedding_length(N_EMBD)
        writer.add_block_count(N_LAYER)
        writer.add_feed_forward_length(N_FF)
        writer.add_head_count(N_HEAD)
        writer.add_head_count_kv(n_head_kv)
        writer.add_rope_dimension_count(N_EMBD // N_HEAD)
        writer.add_rope_freq_base(10000.0)
        writer.add_layer_norm_rms_eps(1e-5)
        writer.add_vocab_size(n_vocab)
        add_tokenizer(writer)
        for tensor_name, arr in tensors.items():
            writer.add_tensor(tensor_name, np.ascontiguousarray(arr, dtype=np.float32))
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_tensors_to_file()
    finally:
        writer.close()
    tmp.replace(path)
    return path


def _random_normal(rng) -> Callable:
    import numpy as np

    def rand(*shape: int, std: float = 0.02) -> "np.ndarray":
        return rng.normal(0.0, std, size=shape).astype(np.float32)

    return rand


def build_tiny_model(path: Path, *, biased: bool = True, seed: int = 0, n_ctx: int = 2048) -> Path:
    """Write the tiny model to `path` (parents created) and return the path."""
    gguf, np = _imports()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    tokens, types, special = _vocab()
    n_vocab = len(tokens)
    rand = _random_normal(rng)
    tensors: dict[str, np.ndarray] = {}

    if biased:
        u = rng.normal(size=N_EMBD)
        u = (u / np.linalg.norm(u)).astype(np.float32)
        # one shared, dominant direction: after the final RMS norm the hidden state is ~sqrt(n) * u
        tensors["token_embd.weight"] = rand(n_vocab, N_EMBD, std=0.05) + u[None, :]
        bias = _logit_bias(tokens, special, rng)
        # logits[t] = output[t] . h ~= bias[t] + a little noise
        out = bias[:, None] * u[None, :] / np.sqrt(N_EMBD) + rand(n_vocab, N_EMBD, std=0.02)
        tensors["output.weight"] = out.astype(np.float32)
    else:
        tensors["token_embd.weight"] = rand(n_vocab, N_EMBD, std=0.5)
        tensors["output.weight"] = rand(n_vocab, N_EMBD, std=0.15)
    tensors["output_norm.weight"] = np.ones(N_EMBD, dtype=np.float32)
    _layer_tensors(tensors, rand, n_head_kv=N_HEAD_KV, silent_last=biased)

    def add_tokenizer(writer) -> None:
        writer.add_tokenizer_model("gpt2")
        writer.add_tokenizer_pre("default")
        writer.add_token_list(tokens)
        writer.add_token_types(types)
        writer.add_token_merges([f"{a} {b}" for a, b in _MERGES])
        writer.add_bos_token_id(special["<|endoftext|>"])
        writer.add_eos_token_id(special["<|im_end|>"])
        writer.add_eot_token_id(special["<|im_end|>"])
        writer.add_add_bos_token(False)
        writer.add_chat_template(CHATML_TEMPLATE)

    name = "summarizer-tiny-" + ("biased" if biased else "random")
    return _write_gguf(path, name=name, n_ctx=n_ctx, n_head_kv=N_HEAD_KV, n_vocab=n_vocab,
                       add_tokenizer=add_tokenizer, tensors=tensors)


def build_byte_model(path: Path, *, seed: int = 0, n_ctx: int = 4096) -> Path:
    """Write the byte model (see the module docstring) to `path` (parents created) and return the path."""
    gguf, np = _imports()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rand = _random_normal(np.random.default_rng(seed))
    tokens, types, special = _byte_vocab()
    n_vocab = len(tokens)
    tensors: dict[str, np.ndarray] = {
        "token_embd.weight": rand(n_vocab, N_EMBD, std=0.5),
        "output.weight": rand(n_vocab, N_EMBD, std=0.15),
        "output_norm.weight": np.ones(N_EMBD, dtype=np.float32),
    }
    _layer_tensors(tensors, rand, n_head_kv=BYTE_MODEL_N_HEAD_KV, silent_last=False)

    def add_tokenizer(writer) -> None:
        writer.add_tokenizer_model("llama")
        writer.add_tokenizer_pre("default")
        writer.add_token_list(tokens)
        writer.add_token_scores([0.0] * n_vocab)
        writer.add_token_types(types)
        writer.add_unk_token_id(special["<unk>"])
        writer.add_bos_token_id(special["<s>"])
        writer.add_eos_token_id(special["</s>"])
        writer.add_eot_token_id(special["<end_of_turn>"])
        writer.add_add_bos_token(True)
        writer.add_add_space_prefix(False)
        writer.add_chat_template(GEMMA_TEMPLATE)

    return _write_gguf(path, name="summarizer-tiny-bytes", n_ctx=n_ctx, n_head_kv=BYTE_MODEL_N_HEAD_KV,
                       n_vocab=n_vocab, add_tokenizer=add_tokenizer, tensors=tensors)
