#include "checkpoint/pickle_reader.h"

#include "checkpoint/parsed_checkpoint.h"

#include <cstring>
#include <memory>
#include <string_view>
#include <unordered_map>

namespace engine::model::detail {
namespace {

constexpr std::size_t kMaxStack = 1u << 20;
constexpr std::size_t kMaxMemo = 1u << 20;
constexpr std::size_t kMaxObjects = 1u << 21;
constexpr std::size_t kMaxContainerItems = 1u << 22;
constexpr std::size_t kMaxDims = 16;

enum class GlobalKind {
    OrderedDict,
    RebuildTensorV2,
    RebuildParameter,
    RebuildParameterWithState,
    StorageType,
};

struct StorageTypeName {
    const char* name;
    torch::ScalarType dtype;
};
constexpr StorageTypeName kStorageTypes[] = {
    {"FloatStorage", torch::kFloat}, {"DoubleStorage", torch::kDouble},
    {"HalfStorage", torch::kHalf},   {"BFloat16Storage", torch::kBFloat16},
    {"LongStorage", torch::kLong},   {"IntStorage", torch::kInt},
    {"ShortStorage", torch::kShort}, {"CharStorage", torch::kChar},
    {"ByteStorage", torch::kByte},   {"BoolStorage", torch::kBool},
};

enum class ObjectKind { List, Tuple, Dict, Global, Storage, Tensor };

struct Object;

enum class ValueKind { None, Bool, Int, Float, String, Bytes, Object };

// Strings and bytes are views into the pickle buffer, so BINGET of a large string costs nothing.
struct Value {
    ValueKind kind = ValueKind::None;
    std::int64_t integer = 0;  // Bool and Int
    double real = 0;
    std::string_view text;
    Object* object = nullptr;
};

struct Object {
    ObjectKind kind;
    std::vector<Value> items;                      // List, Tuple
    std::vector<std::pair<Value, Value>> entries;  // Dict
    std::unordered_map<std::string_view, std::size_t> string_keys;
    std::unordered_map<std::int64_t, std::size_t> int_keys;
    GlobalKind global = GlobalKind::OrderedDict;  // Global
    torch::ScalarType dtype = torch::kFloat;      // Global(StorageType)
    std::size_t storage = 0;                      // Storage
    PickledTensor tensor;                         // Tensor
};

const char* kind_name(const Value& v) {
    switch (v.kind) {
        case ValueKind::None:
            return "None";
        case ValueKind::Bool:
            return "bool";
        case ValueKind::Int:
            return "int";
        case ValueKind::Float:
            return "float";
        case ValueKind::String:
            return "str";
        case ValueKind::Bytes:
            return "bytes";
        case ValueKind::Object:
            break;
    }
    switch (v.object->kind) {
        case ObjectKind::List:
            return "list";
        case ObjectKind::Tuple:
            return "tuple";
        case ObjectKind::Dict:
            return "dict";
        case ObjectKind::Global:
            return "global";
        case ObjectKind::Storage:
            return "storage";
        case ObjectKind::Tensor:
            return "tensor";
    }
    return "?";
}

// Thrown inside the unpickler only; converted to an Error at its boundary.
struct PickleFailure {
    Error error;
};

class Unpickler {
  public:
    Unpickler(ByteView bytes, const std::string& label) : m_bytes(bytes), m_label(label) {}

    PickledCheckpoint run() {
        Value top = execute();
        return extract(top);
    }

  private:
    [[noreturn]] void damaged(const std::string& what) const {
        throw PickleFailure{
            Error(ErrorCode::ModelDamaged, "malformed pickle in " + m_label + " at byte " +
                                               std::to_string(m_op_offset) + ": " + what)
                .with("path", m_label)
                .with("offset", std::to_string(m_op_offset))};
    }
    [[noreturn]] void unsupported(const std::string& what,
                                  const std::string& key,
                                  const std::string& value) const {
        throw PickleFailure{Error(ErrorCode::CheckpointUnsupported, what + " in " + m_label)
                                .with("path", m_label)
                                .with(key, value)};
    }

    const std::uint8_t* take(std::size_t n) {
        if (n > m_bytes.size - m_pos) {
            damaged("the pickle ends inside an instruction");
        }
        const std::uint8_t* p = m_bytes.data + m_pos;
        m_pos += n;
        return p;
    }
    std::uint8_t take_u8() { return *take(1); }
    std::uint32_t take_u32() { return read_u32_le(take(4)); }

    Object* new_object(ObjectKind kind) {
        if (m_objects.size() >= kMaxObjects) {
            damaged("too many objects");
        }
        m_objects.push_back(std::make_unique<Object>());
        m_objects.back()->kind = kind;
        return m_objects.back().get();
    }
    void count_item() {
        if (++m_container_items > kMaxContainerItems) {
            damaged("too many container items");
        }
    }

    void push(Value v) {
        if (m_stack.size() >= kMaxStack) {
            damaged("stack too deep");
        }
        m_stack.push_back(std::move(v));
    }
    void push_object(Object* o) {
        Value v;
        v.kind = ValueKind::Object;
        v.object = o;
        push(v);
    }
    void push_int(std::int64_t i) {
        Value v;
        v.kind = ValueKind::Int;
        v.integer = i;
        push(v);
    }
    void push_string(ValueKind kind, std::size_t length) {
        Value v;
        v.kind = kind;
        const std::uint8_t* p = take(length);
        v.text = std::string_view(reinterpret_cast<const char*>(p), length);
        push(v);
    }
    std::size_t mark_base() const { return m_marks.empty() ? 0 : m_marks.back(); }
    Value pop() {
        if (m_stack.size() <= mark_base()) {
            damaged("stack underflow");
        }
        Value v = m_stack.back();
        m_stack.pop_back();
        return v;
    }
    Value& top() {
        if (m_stack.size() <= mark_base()) {
            damaged("stack underflow");
        }
        return m_stack.back();
    }
    std::vector<Value> pop_mark() {
        if (m_marks.empty()) {
            damaged("no MARK on the stack");
        }
        const std::size_t base = m_marks.back();
        m_marks.pop_back();
        std::vector<Value> items(m_stack.begin() + static_cast<std::ptrdiff_t>(base),
                                 m_stack.end());
        m_stack.resize(base);
        return items;
    }
    Object* as(const Value& v, ObjectKind kind, const char* what) {
        if (v.kind != ValueKind::Object || v.object->kind != kind) {
            damaged(std::string(what) + " expected, got " + kind_name(v));
        }
        return v.object;
    }
    std::int64_t as_int(const Value& v, const char* what) {
        if (v.kind != ValueKind::Int) {
            damaged(std::string(what) + " must be an int, got " + kind_name(v));
        }
        return v.integer;
    }

    void set_item(Object* dict, const Value& key, const Value& value) {
        count_item();
        if (key.kind == ValueKind::String) {
            auto [it, inserted] = dict->string_keys.emplace(key.text, dict->entries.size());
            if (!inserted) {
                dict->entries[it->second].second = value;
                return;
            }
        } else if (key.kind == ValueKind::Int) {
            auto [it, inserted] = dict->int_keys.emplace(key.integer, dict->entries.size());
            if (!inserted) {
                dict->entries[it->second].second = value;
                return;
            }
        }
        dict->entries.emplace_back(key, value);
    }

    Object* resolve_global(std::string_view module, std::string_view name) {
        Object* g = new_object(ObjectKind::Global);
        if (module == "collections" && name == "OrderedDict") {
            g->global = GlobalKind::OrderedDict;
            return g;
        }
        if (module == "torch._utils" && name == "_rebuild_tensor_v2") {
            g->global = GlobalKind::RebuildTensorV2;
            return g;
        }
        if (module == "torch._utils" && name == "_rebuild_parameter") {
            g->global = GlobalKind::RebuildParameter;
            return g;
        }
        if (module == "torch._utils" && name == "_rebuild_parameter_with_state") {
            g->global = GlobalKind::RebuildParameterWithState;
            return g;
        }
        if (module == "torch") {
            for (const auto& s : kStorageTypes) {
                if (name == s.name) {
                    g->global = GlobalKind::StorageType;
                    g->dtype = s.dtype;
                    return g;
                }
            }
        }
        const std::string full = std::string(module) + "." + std::string(name);
        unsupported("pickle global '" + full +
                        "' is outside the tensor subset this loader reads (re-save the weights "
                        "as a plain state dict of tensors)",
                    "global", full);
    }

    std::vector<std::int64_t> int_tuple(const Value& v, const char* what) {
        Object* t = as(v, ObjectKind::Tuple, what);
        if (t->items.size() > kMaxDims) {
            damaged(std::string(what) + " has too many dimensions");
        }
        std::vector<std::int64_t> out;
        for (const Value& item : t->items) {
            out.push_back(as_int(item, what));
        }
        return out;
    }

    Value call(const Value& callable, const Value& arguments) {
        Object* g = as(callable, ObjectKind::Global, "callable");
        Object* args = as(arguments, ObjectKind::Tuple, "argument tuple");
        switch (g->global) {
            case GlobalKind::OrderedDict: {
                if (!args->items.empty()) {
                    unsupported("OrderedDict built from arguments", "global",
                                "collections.OrderedDict");
                }
                Value v;
                v.kind = ValueKind::Object;
                v.object = new_object(ObjectKind::Dict);
                return v;
            }
            case GlobalKind::RebuildTensorV2: {
                if (args->items.size() < 6 || args->items.size() > 7) {
                    damaged("_rebuild_tensor_v2 takes 6 or 7 arguments");
                }
                Object* storage = as(args->items[0], ObjectKind::Storage, "storage");
                Object* tensor = new_object(ObjectKind::Tensor);
                tensor->tensor.storage = storage->storage;
                tensor->tensor.storage_offset = as_int(args->items[1], "storage offset");
                tensor->tensor.sizes = int_tuple(args->items[2], "size");
                tensor->tensor.strides = int_tuple(args->items[3], "stride");
                const std::int64_t extent = view_extent(
                    tensor->tensor.sizes, tensor->tensor.strides, tensor->tensor.storage_offset);
                const std::int64_t numel = m_result.storages[storage->storage].numel;
                if (extent < 0 || extent > numel) {
                    damaged("tensor view " + shape_string(tensor->tensor.sizes) + " stride " +
                            shape_string(tensor->tensor.strides) + " offset " +
                            std::to_string(tensor->tensor.storage_offset) +
                            " reaches outside its storage of " + std::to_string(numel) +
                            " elements");
                }
                Value v;
                v.kind = ValueKind::Object;
                v.object = tensor;
                return v;
            }
            case GlobalKind::RebuildParameter:
            case GlobalKind::RebuildParameterWithState: {
                if (args->items.empty()) {
                    damaged("_rebuild_parameter without arguments");
                }
                as(args->items[0], ObjectKind::Tensor, "parameter data");
                return args->items[0];
            }
            case GlobalKind::StorageType:
                break;
        }
        damaged("a storage type cannot be called");
    }

    Value persistent_load(const Value& pid) {
        Object* t = as(pid, ObjectKind::Tuple, "persistent id");
        if (t->items.size() != 5 || t->items[0].kind != ValueKind::String ||
            t->items[0].text != "storage") {
            unsupported("a persistent id other than ('storage', type, key, location, numel)",
                        "opcode", "BINPERSID");
        }
        Object* type = as(t->items[1], ObjectKind::Global, "storage type");
        if (type->global != GlobalKind::StorageType) {
            damaged("persistent id names no storage type");
        }
        const Value& key = t->items[2];
        if (key.kind != ValueKind::String || key.text.empty() || key.text.size() > 64) {
            damaged("bad storage key");
        }
        const std::int64_t numel = as_int(t->items[4], "storage size");
        if (numel < 0 || numel > (std::int64_t{1} << 60)) {
            damaged("bad storage size");
        }
        auto [it, inserted] = m_storage_by_key.emplace(key.text, m_result.storages.size());
        if (inserted) {
            m_result.storages.push_back(PickledStorage{type->dtype, std::string(key.text), numel});
        } else {
            const PickledStorage& known = m_result.storages[it->second];
            if (known.dtype != type->dtype || known.numel != numel) {
                damaged("storage '" + std::string(key.text) + "' is described twice differently");
            }
        }
        Object* storage = new_object(ObjectKind::Storage);
        storage->storage = it->second;
        Value v;
        v.kind = ValueKind::Object;
        v.object = storage;
        return v;
    }

    void memo_put(std::uint64_t index) {
        if (index >= (std::uint64_t{1} << 32) ||
            (m_memo.size() >= kMaxMemo && m_memo.count(static_cast<std::uint32_t>(index)) == 0)) {
            damaged("memo too large");
        }
        m_memo[static_cast<std::uint32_t>(index)] = top();
    }
    void memo_get(std::uint32_t index) {
        auto it = m_memo.find(index);
        if (it == m_memo.end()) {
            damaged("memo entry " + std::to_string(index) + " is not set");
        }
        push(it->second);
    }

    std::string_view read_line() {
        const std::size_t start = m_pos;
        while (m_pos < m_bytes.size && m_bytes.data[m_pos] != '\n') {
            if (m_pos - start > 256) {
                damaged("GLOBAL name too long");
            }
            ++m_pos;
        }
        if (m_pos >= m_bytes.size) {
            damaged("the pickle ends inside GLOBAL");
        }
        ++m_pos;
        return std::string_view(reinterpret_cast<const char*>(m_bytes.data + start),
                                m_pos - 1 - start);
    }

    std::int64_t read_long(std::size_t length) {
        if (length > 8) {
            unsupported("integer wider than 64 bits", "opcode", "LONG");
        }
        const std::uint8_t* p = take(length);
        std::uint64_t v = 0;
        for (std::size_t i = 0; i < length; ++i) {
            v |= static_cast<std::uint64_t>(p[i]) << (8 * i);
        }
        if (length > 0 && length < 8 && (p[length - 1] & 0x80)) {
            v |= ~std::uint64_t{0} << (8 * length);  // sign-extend
        }
        return static_cast<std::int64_t>(v);
    }

    Value execute() {
        while (true) {
            if (m_pos >= m_bytes.size) {
                damaged("the pickle ends without STOP");
            }
            m_op_offset = m_pos;
            const std::uint8_t op = m_bytes.data[m_pos++];
            switch (op) {
                case 0x80: {  // PROTO
                    const std::uint8_t protocol = take_u8();
                    if (protocol > 5) {
                        unsupported("pickle protocol " + std::to_string(protocol), "opcode",
                                    "PROTO");
                    }
                    break;
                }
                case 0x95:  // FRAME (protocol 4): a length hint only
                    take(8);
                    break;
                case '.':  // STOP
                    if (m_stack.size() != 1 || !m_marks.empty()) {
                        damaged("STOP with " + std::to_string(m_stack.size()) +
                                " values on the stack");
                    }
                    return m_stack.back();
                case '(':  // MARK
                    if (m_marks.size() >= kMaxStack) {
                        damaged("too many MARKs");
                    }
                    m_marks.push_back(m_stack.size());
                    break;
                case '}':  // EMPTY_DICT
                    push_object(new_object(ObjectKind::Dict));
                    break;
                case ']':  // EMPTY_LIST
                    push_object(new_object(ObjectKind::List));
                    break;
                case ')':  // EMPTY_TUPLE
                    push_object(new_object(ObjectKind::Tuple));
                    break;
                case 't':    // TUPLE
                case 'l': {  // LIST
                    std::vector<Value> items = pop_mark();
                    Object* o = new_object(op == 't' ? ObjectKind::Tuple : ObjectKind::List);
                    for (std::size_t i = 0; i < items.size(); ++i) {
                        count_item();
                    }
                    o->items = std::move(items);
                    push_object(o);
                    break;
                }
                case 'd': {  // DICT
                    std::vector<Value> items = pop_mark();
                    if (items.size() % 2 != 0) {
                        damaged("DICT with an odd number of items");
                    }
                    Object* o = new_object(ObjectKind::Dict);
                    for (std::size_t i = 0; i < items.size(); i += 2) {
                        set_item(o, items[i], items[i + 1]);
                    }
                    push_object(o);
                    break;
                }
                case 0x85:    // TUPLE1
                case 0x86:    // TUPLE2
                case 0x87: {  // TUPLE3
                    const std::size_t n = op - 0x84u;
                    Object* o = new_object(ObjectKind::Tuple);
                    o->items.resize(n);
                    for (std::size_t i = n; i-- > 0;) {
                        count_item();
                        o->items[i] = pop();
                    }
                    push_object(o);
                    break;
                }
                case 'X':  // BINUNICODE
                    push_string(ValueKind::String, take_u32());
                    break;
                case 0x8c:  // SHORT_BINUNICODE
                    push_string(ValueKind::String, take_u8());
                    break;
                case 0x8d: {  // BINUNICODE8
                    const std::uint64_t n = read_u64_le(take(8));
                    if (n > m_bytes.size) {
                        damaged("string longer than the pickle");
                    }
                    push_string(ValueKind::String, static_cast<std::size_t>(n));
                    break;
                }
                case 'T': {  // BINSTRING (protocol 1 str)
                    const auto n = static_cast<std::int32_t>(take_u32());
                    if (n < 0) {
                        damaged("negative BINSTRING length");
                    }
                    push_string(ValueKind::String, static_cast<std::size_t>(n));
                    break;
                }
                case 'U':  // SHORT_BINSTRING
                    push_string(ValueKind::String, take_u8());
                    break;
                case 'B':  // BINBYTES
                    push_string(ValueKind::Bytes, take_u32());
                    break;
                case 'C':  // SHORT_BINBYTES
                    push_string(ValueKind::Bytes, take_u8());
                    break;
                case 'J':  // BININT
                    push_int(static_cast<std::int32_t>(take_u32()));
                    break;
                case 'K':  // BININT1
                    push_int(take_u8());
                    break;
                case 'M':  // BININT2
                    push_int(read_u16_le(take(2)));
                    break;
                case 0x8a:  // LONG1
                    push_int(read_long(take_u8()));
                    break;
                case 0x8b: {  // LONG4
                    const auto n = static_cast<std::int32_t>(take_u32());
                    if (n < 0) {
                        damaged("negative LONG4 length");
                    }
                    push_int(read_long(static_cast<std::size_t>(n)));
                    break;
                }
                case 'G': {  // BINFLOAT, big-endian IEEE double
                    const std::uint8_t* p = take(8);
                    std::uint64_t bits = 0;
                    for (int i = 0; i < 8; ++i) {
                        bits = (bits << 8) | p[i];
                    }
                    Value v;
                    v.kind = ValueKind::Float;
                    std::memcpy(&v.real, &bits, sizeof(bits));
                    push(v);
                    break;
                }
                case 0x88:    // NEWTRUE
                case 0x89: {  // NEWFALSE
                    Value v;
                    v.kind = ValueKind::Bool;
                    v.integer = op == 0x88;
                    push(v);
                    break;
                }
                case 'N':  // NONE
                    push(Value{});
                    break;
                case 's': {  // SETITEM
                    const Value value = pop();
                    const Value key = pop();
                    set_item(as(top(), ObjectKind::Dict, "SETITEM target"), key, value);
                    break;
                }
                case 'u': {  // SETITEMS
                    std::vector<Value> items = pop_mark();
                    if (items.size() % 2 != 0) {
                        damaged("SETITEMS with an odd number of items");
                    }
                    Object* dict = as(top(), ObjectKind::Dict, "SETITEMS target");
                    for (std::size_t i = 0; i < items.size(); i += 2) {
                        set_item(dict, items[i], items[i + 1]);
                    }
                    break;
                }
                case 'a': {  // APPEND
                    const Value value = pop();
                    count_item();
                    as(top(), ObjectKind::List, "APPEND target")->items.push_back(value);
                    break;
                }
                case 'e': {  // APPENDS
                    std::vector<Value> items = pop_mark();
                    Object* list = as(top(), ObjectKind::List, "APPENDS target");
                    for (const Value& v : items) {
                        count_item();
                        list->items.push_back(v);
                    }
                    break;
                }
                case 'c': {  // GLOBAL
                    const std::string_view module = read_line();
                    const std::string_view name = read_line();
                    push_object(resolve_global(module, name));
                    break;
                }
                case 0x93: {  // STACK_GLOBAL
                    const Value name = pop();
                    const Value module = pop();
                    if (name.kind != ValueKind::String || module.kind != ValueKind::String) {
                        damaged("STACK_GLOBAL needs two strings");
                    }
                    push_object(resolve_global(module.text, name.text));
                    break;
                }
                case 'R':     // REDUCE
                case 0x81: {  // NEWOBJ
                    const Value arguments = pop();
                    const Value callable = pop();
                    push(call(callable, arguments));
                    break;
                }
                case 'b': {  // BUILD: state of an OrderedDict (_metadata) or a parameter
                    const Value state = pop();
                    const Value& target = top();
                    if (target.kind != ValueKind::Object ||
                        (target.object->kind != ObjectKind::Dict &&
                         target.object->kind != ObjectKind::Tensor)) {
                        unsupported("BUILD on a " + std::string(kind_name(target)), "opcode",
                                    "BUILD");
                    }
                    (void)state;
                    break;
                }
                case 'q':  // BINPUT
                    memo_put(take_u8());
                    break;
                case 'r':  // LONG_BINPUT
                    memo_put(take_u32());
                    break;
                case 0x94:  // MEMOIZE
                    memo_put(m_memo.size());
                    break;
                case 'h':  // BINGET
                    memo_get(take_u8());
                    break;
                case 'j':  // LONG_BINGET
                    memo_get(take_u32());
                    break;
                case 'Q': {  // BINPERSID
                    const Value pid = pop();
                    push(persistent_load(pid));
                    break;
                }
                case '0':  // POP
                    if (!m_marks.empty() && m_marks.back() == m_stack.size()) {
                        m_marks.pop_back();
                    } else {
                        pop();
                    }
                    break;
                case '1':  // POP_MARK
                    pop_mark();
                    break;
                case '2':  // DUP
                    push(top());
                    break;
                default: {
                    char hex[8];
                    std::snprintf(hex, sizeof(hex), "0x%02x", op);
                    unsupported("pickle opcode " + std::string(hex) + " at byte " +
                                    std::to_string(m_op_offset) +
                                    " is outside the subset torch.save uses",
                                "opcode", hex);
                }
            }
        }
    }

    bool collect_tensors(Object* dict) {
        for (const auto& [key, value] : dict->entries) {
            if (key.kind == ValueKind::String && value.kind == ValueKind::Object &&
                value.object->kind == ObjectKind::Tensor) {
                m_result.tensors.emplace_back(std::string(key.text), value.object->tensor);
            }
        }
        return !m_result.tensors.empty();
    }

    PickledCheckpoint extract(const Value& top) {
        if (top.kind == ValueKind::Object && top.object->kind == ObjectKind::Tensor) {
            m_result.single_tensor = true;
            m_result.tensors.emplace_back(std::string(), top.object->tensor);
            return std::move(m_result);
        }
        if (top.kind != ValueKind::Object || top.object->kind != ObjectKind::Dict) {
            unsupported(std::string("the top-level object is a ") + kind_name(top) +
                            ", not a state dict or a tensor",
                        "object", kind_name(top));
        }
        if (!collect_tensors(top.object)) {
            for (const char* wrapper : {"state_dict", "model_state"}) {
                auto it = top.object->string_keys.find(wrapper);
                if (it == top.object->string_keys.end()) {
                    continue;
                }
                const Value& inner = top.object->entries[it->second].second;
                if (inner.kind == ValueKind::Object && inner.object->kind == ObjectKind::Dict &&
                    collect_tensors(inner.object)) {
                    break;
                }
            }
        }
        if (m_result.tensors.empty()) {
            unsupported("no tensors found (not a state dict)", "object", "dict");
        }
        return std::move(m_result);
    }

    ByteView m_bytes;
    const std::string& m_label;
    std::size_t m_pos = 0;
    std::size_t m_op_offset = 0;
    std::vector<Value> m_stack;
    std::vector<std::size_t> m_marks;
    std::unordered_map<std::uint32_t, Value> m_memo;
    std::vector<std::unique_ptr<Object>> m_objects;
    std::size_t m_container_items = 0;
    std::unordered_map<std::string_view, std::size_t> m_storage_by_key;
    PickledCheckpoint m_result;
};

}  // namespace

Result<PickledCheckpoint> unpickle_torch_checkpoint(ByteView pickle, const std::string& label) {
    try {
        Unpickler unpickler(pickle, label);
        return unpickler.run();
    } catch (const PickleFailure& failure) {
        return failure.error;
    } catch (const std::bad_alloc&) {
        return Error(ErrorCode::ModelDamaged, "the pickle of " + label + " needs too much memory")
            .with("path", label);
    }
}

}  // namespace engine::model::detail
