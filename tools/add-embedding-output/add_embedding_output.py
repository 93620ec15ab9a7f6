#!/usr/bin/python3
"""Adds a sentence-embedding output to a text classifier's model.onnx, for drift detection (docs/drift.md).

A Hugging Face sequence classifier exported to ONNX usually outputs only `logits`. Inside the graph, the
classifier head reads one vector per text: the first token's final hidden state ([CLS]/<s>, picked by a Gather on
the token axis) or, for BERT, the pooler's tanh of it. This tool finds that tensor by walking back from `logits`
and exposes it as an extra graph output, through an Identity node, so the engine's name-based search finds it:

  - the pooled vector (a Tanh on the path to the logits)  -> output `pooler_output`      [batch, hidden]
  - otherwise the first token's hidden state (Gather)     -> output `sentence_embedding` [batch, hidden]

`--tensor NAME` exposes a tensor you name instead (rank 2 [batch, dim], or rank 3 [batch, tokens, dim], exposed
as `last_hidden_state`, whose first token the engine reads). The weights and every existing output are unchanged;
the engine reads the new output in the same forward pass as the logits.

Usage: /usr/bin/python3 tools/add-embedding-output/add_embedding_output.py MODEL_IN.onnx MODEL_OUT.onnx [--tensor NAME]
Needs Debian's python3-onnx (`apt-get install python3-onnx`).
"""
import argparse
import sys

import onnx
from onnx import helper, numpy_helper, shape_inference


def constant_value(graph, name):
    """The value of `name` when it is a Constant node's output or an initializer, else None."""
    for init in graph.initializer:
        if init.name == name:
            return numpy_helper.to_array(init)
    for node in graph.node:
        if node.op_type == "Constant" and name in node.output:
            for attribute in node.attribute:
                if attribute.name == "value":
                    return numpy_helper.to_array(attribute.t)
    return None


def find_embedding(graph, logits):
    """Walks back from `logits` (breadth first) to the pooled or first-token vector the head reads."""
    producer = {output: node for node in graph.node for output in node.output}
    queue, seen, tanh = [logits], set(), None
    while queue:
        tensor = queue.pop(0)
        if tensor in seen or tensor not in producer:
            continue
        seen.add(tensor)
        node = producer[tensor]
        if node.op_type == "Tanh" and tanh is None:
            tanh = node.output[0]
        if node.op_type == "Gather":
            axis = next((helper.get_attribute_value(a) for a in node.attribute if a.name == "axis"), 0)
            index = constant_value(graph, node.input[1])
            if axis == 1 and index is not None and index.size == 1 and int(index.reshape(-1)[0]) == 0:
                if tanh is not None:
                    return tanh, "pooler_output"
                return node.output[0], "sentence_embedding"
        # Only the data path matters, not weights or constants.
        queue.extend(i for i in node.input if i in producer)
    return None, None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model_in")
    parser.add_argument("model_out")
    parser.add_argument("--tensor", help="expose this tensor instead of searching from the logits")
    parser.add_argument("--logits", default="logits", help="the classifier output to search back from (default: logits)")
    args = parser.parse_args()

    model = onnx.load(args.model_in)
    graph = model.graph
    outputs = [o.name for o in graph.output]
    if args.tensor:
        inferred = shape_inference.infer_shapes(model)
        infos = {v.name: v for v in list(inferred.graph.value_info) + list(inferred.graph.output)}
        info = infos.get(args.tensor)
        rank = len(info.type.tensor_type.shape.dim) if info is not None and info.type.tensor_type.HasField("shape") else None
        if rank not in (2, 3):
            sys.exit(f"error: tensor {args.tensor!r} has rank {rank}; the engine needs [batch, dim] or [batch, tokens, dim]")
        tensor, name = args.tensor, ("sentence_embedding" if rank == 2 else "last_hidden_state")
    else:
        if args.logits not in outputs:
            sys.exit(f"error: {args.model_in} has no output {args.logits!r} (outputs: {', '.join(outputs)}); pass --logits or --tensor")
        tensor, name = find_embedding(graph, args.logits)
        if tensor is None:
            sys.exit(f"error: no Gather of the first token (axis 1, index 0) feeds {args.logits!r}; name the tensor with --tensor")
    if name in outputs:
        sys.exit(f"error: {args.model_in} already has an output {name!r}; the engine finds it without this tool")

    # The new output takes the tensor's inferred type and shape ([batch, dim]); unknown dims stay symbolic.
    inferred = shape_inference.infer_shapes(model)
    known = {v.name: v for v in list(inferred.graph.value_info) + list(inferred.graph.output)}
    graph.node.append(helper.make_node("Identity", [tensor], [name], name=f"drift_{name}"))
    if tensor in known and known[tensor].type.tensor_type.HasField("shape"):
        output = onnx.ValueInfoProto()
        output.CopyFrom(known[tensor])
        output.name = name
        if output.type.tensor_type.shape.dim:
            output.type.tensor_type.shape.dim[0].ClearField("dim_value")
            output.type.tensor_type.shape.dim[0].dim_param = "batch"
    else:
        output = helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT, ["batch", None] if name != "last_hidden_state" else ["batch", None, None])
    graph.output.append(output)
    # check_model rejects a broken graph before it is saved.
    onnx.checker.check_model(model)
    onnx.save(model, args.model_out)
    shape = [d.dim_param or d.dim_value for d in next(o for o in model.graph.output if o.name == name).type.tensor_type.shape.dim]
    print(f"added output {name!r} = tensor {tensor!r}, shape {shape}, to {args.model_out}")


if __name__ == "__main__":
    main()
