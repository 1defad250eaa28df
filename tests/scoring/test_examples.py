import pytest

from scoring.domain.examples import (
    add_stdlib_imports,
    automatic_fixes,
    drop_shell_lines,
    extract_example,
    move_to_cpu,
    strip_doctest_prompts,
)


def test_a_card_without_code_blocks_has_no_example() -> None:
    assert extract_example("# Tiny model\n\nJust prose, no code.\n") is None


def test_a_bash_only_card_has_no_example() -> None:
    assert extract_example("# Install\n\n```bash\npip install tiny\npython run.py\n```\n") is None


def test_a_python_block_with_only_installs_and_comments_is_skipped_for_the_next_one() -> None:
    card = (
        "```python\n# install first\n!pip install tiny\n\npip install -U transformers\n```\n\n```py\nprint('go')\n```\n"
    )
    assert extract_example(card) == "print('go')\n"


def test_the_first_python_block_with_code_is_the_example() -> None:
    card = "```js\nconsole.log(1)\n```\n```python\nprint(1)\n```\n```python\nprint(2)\n```\n"
    assert extract_example(card) == "print(1)\n"


@pytest.mark.parametrize(
    "info", ["python", "py", "python3", "Python", 'python title="demo.py"', "{python}", "{.python}", "pycon"]
)
def test_python_info_strings_are_recognised(info: str) -> None:
    assert extract_example(f"```{info}\nprint(1)\n```\n") == "print(1)\n"


@pytest.mark.parametrize("info", ["", "pyproject", "python-repl", "text", "bash"])
def test_other_info_strings_are_not_python(info: str) -> None:
    assert extract_example(f"```{info}\nprint(1)\n```\n") is None


def test_tilde_fences_are_code_blocks() -> None:
    assert (
        extract_example("~~~python\nimport json\nprint(json.dumps(1))\n~~~\n") == "import json\nprint(json.dumps(1))\n"
    )


def test_a_tilde_fence_is_not_closed_by_backticks() -> None:
    assert extract_example("~~~python\nx = '''\n```\n'''\nprint(x)\n~~~\n") == "x = '''\n```\n'''\nprint(x)\n"


def test_a_python_block_shown_inside_a_longer_fence_is_not_the_example() -> None:
    card = "````markdown\n```python\nprint('inner')\n```\n````\n\n```python\nprint('outer')\n```\n"
    assert extract_example(card) == "print('outer')\n"


def test_front_matter_is_ignored() -> None:
    card = "---\nlicense: mit\nexample: |\n  ```python\n  print('yaml')\n  ```\n---\n# Card\n```python\nprint('card')\n```\n"
    assert extract_example(card) == "print('card')\n"


def test_an_unclosed_fence_runs_to_the_end_of_the_card() -> None:
    assert extract_example("# Use\n```python\nprint(1)\nprint(2)\n") == "print(1)\nprint(2)\n"


def test_a_block_nested_in_a_list_loses_its_indentation() -> None:
    card = "1. Run:\n\n   ```python\n   for i in range(2):\n       print(i)\n   ```\n"
    assert extract_example(card) == "for i in range(2):\n    print(i)\n"


def test_a_doctest_block_counts_as_code() -> None:
    assert extract_example("```python\n>>> print(1)\n1\n```\n") == ">>> print(1)\n1\n"


def test_doctest_prompts_and_output_lines_are_stripped() -> None:
    session = ">>> x = 1\n>>> for i in range(2):\n...     print(i + x)\n...\n1\n2\n>>> print('done')\ndone\n"
    assert strip_doctest_prompts(session) == "x = 1\nfor i in range(2):\n    print(i + x)\n\nprint('done')\n"


def test_code_without_prompts_is_not_a_doctest() -> None:
    code = "x = 1\nprint(x > 0)\n"
    assert strip_doctest_prompts(code) is code


def test_notebook_and_shell_lines_are_dropped() -> None:
    code = (
        "%%capture\n!pip install tiny\n%pip install other\n$ python run.py\npip install -U transformers\n"
        "python -m pip install x\ngit clone https://example.org/repo\nimport json\nif True:\n    !ls\nprint(json)\n"
    )
    assert drop_shell_lines(code) == "import json\nif True:\n    pass\nprint(json)\n"


def test_python_lines_that_mention_pip_are_kept() -> None:
    code = "pip_version = 3\nprint(pip_version % 2)\n"
    assert drop_shell_lines(code) is code


def test_cuda_devices_move_to_the_cpu() -> None:
    code = (
        'model.cuda()\nx = x.to("cuda:0")\nm = Auto.from_pretrained("m", device_map="auto")\n'
        "p = pipeline('task', device=0)\nd = torch.device('cuda')\n"
    )
    assert move_to_cpu(code) == (
        'model.cpu()\nx = x.to("cpu")\nm = Auto.from_pretrained("m", device_map="cpu")\n'
        "p = pipeline('task', device=\"cpu\")\nd = torch.device('cpu')\n"
    )


def test_text_that_only_mentions_cuda_is_not_changed() -> None:
    code = 'print("cuda is fast")\nscale(device=0.5)\nif torch.cuda.is_available():\n    pass\n'
    assert move_to_cpu(code) == code


def test_missing_standard_library_imports_are_added() -> None:
    code = "data = json.dumps({'path': str(Path('x'))})\nprint(os.sep, data)\n"
    assert add_stdlib_imports(code) == (
        "import json\nimport os\nfrom pathlib import Path\n"
        "data = json.dumps({'path': str(Path('x'))})\nprint(os.sep, data)\n"
    )


def test_imports_go_after_future_imports() -> None:
    code = "from __future__ import annotations\nprint(sys.argv)\n"
    assert add_stdlib_imports(code) == "from __future__ import annotations\nimport sys\nprint(sys.argv)\n"


@pytest.mark.parametrize(
    "code",
    [
        "import json\nprint(json.dumps(1))\n",
        "import os.path\nprint(os.sep)\n",
        "def f(re):\n    return re.x\n",
        "time = 3\nprint(time)\n",
        "print(data.json())\n",
        "print(numpy.zeros(3))\n",
        "print(json.dumps(\n",
    ],
)
def test_bound_attributes_unknown_and_unparsable_names_get_no_import(code: str) -> None:
    assert add_stdlib_imports(code) is code


def test_no_fix_applies_to_clean_code() -> None:
    code = "import json\nprint(json.dumps({'ok': True}))\n"
    fixed = automatic_fixes(code)
    assert fixed.applied == ()
    assert fixed.code is code


def test_fixes_apply_in_order_and_are_named() -> None:
    fixed = automatic_fixes('>>> !pip install tiny\n>>> x = json.loads("[1]")\n>>> print(x, "cuda")\n[1] cuda\n')
    assert fixed.applied == ("strip_doctest_prompts", "drop_shell_lines", "move_to_cpu", "add_stdlib_imports")
    assert fixed.code == 'import json\nx = json.loads("[1]")\nprint(x, "cpu")\n'
    compile(fixed.code, "example.py", "exec")
