# Asks the real cog runtime (cog._inspector, the code the worker uses to load a model) what it
# makes of the predictor, in the same JSON vocabulary as the static schema: a cross-check of
# src/schema against cog 0.23, which no longer writes a whole OpenAPI document itself.
#
#   docker run --rm -v "$PWD/test/golden/schema:/x:ro" <image built from a fixture> \
#     python /x/runtime-introspect.py predict.py:Predictor
#
# prints {"inputs": {name: {order, json_type, repetition, default, description, ge, le, ...}},
#         "output": <the Output schema as the runtime would write it>}.
import json, sys
sys.path.insert(0, "/src")
from cog import _inspector

module, name = sys.argv[1].split(":")
info = _inspector.create_predictor(module.removesuffix(".py"), name)

def plain(value):
    if hasattr(value, "get_secret_value"):
        return value.get_secret_value()
    return value

out = {"inputs": {}, "output": info.output.json_type()}
for key, field in info.inputs.items():
    out["inputs"][key] = {
        "order": field.order,
        "json_type": field.type.json_type(),
        "repetition": field.type.repetition.name,
        "default": plain(field.default),
        "description": field.description,
        "ge": field.ge, "le": field.le,
        "min_length": field.min_length, "max_length": field.max_length,
        "regex": field.regex, "choices": field.choices, "deprecated": field.deprecated,
    }
print(json.dumps(out, default=str))
