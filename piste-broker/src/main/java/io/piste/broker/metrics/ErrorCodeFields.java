package io.piste.broker.metrics;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.kafka.common.protocol.Message;

/**
 * Every {@code errorCode} field of a generated Kafka message, at every level: the answer's own, each topic's, each
 * partition's, each item's of a batched admin answer. The shape of each message class (its {@code errorCode()}
 * getter and the getters of its nested structs and lists of structs) is found once by reflection and cached; a walk
 * then only calls getters. Lists of plain values (replica ids, names) are never walked. Thread-safe.
 */
final class ErrorCodeFields {

    /** The getters of one message class that matter to the walk. */
    private record Shape(MethodHandle errorCode, List<MethodHandle> children) {}

    private static final ClassValue<Shape> SHAPES = new ClassValue<>() {
        @Override
        protected Shape computeValue(Class<?> type) {
            return shapeOf(type);
        }
    };

    private ErrorCodeFields() {}

    /** Tells {@code sink} each non-zero error code in {@code message} and in everything it holds. */
    static void forEach(Message message, ResponseErrors.Sink sink) {
        Shape shape = SHAPES.get(message.getClass());
        try {
            if (shape.errorCode != null) {
                short code = (short) shape.errorCode.invoke(message);
                if (code != 0) {
                    sink.error(code);
                }
            }
            for (MethodHandle child : shape.children) {
                Object value = child.invoke(message);
                if (value instanceof Message nested) {
                    forEach(nested, sink);
                } else if (value instanceof Collection<?> items) {
                    for (Object item : items) {
                        if (item instanceof Message nested) {
                            forEach(nested, sink);
                        }
                    }
                }
            }
        } catch (Error e) {
            throw e;
        } catch (Throwable e) {
            // a getter of a generated message does not throw; if one did, the answer's errors go uncounted
        }
    }

    private static Shape shapeOf(Class<?> type) {
        MethodHandles.Lookup lookup = MethodHandles.publicLookup();
        MethodHandle errorCode = null;
        List<MethodHandle> children = new ArrayList<>();
        for (Method method : type.getMethods()) {
            if (method.getParameterCount() != 0
                    || Modifier.isStatic(method.getModifiers())
                    || method.getDeclaringClass() != type
                    || method.getName().equals("duplicate")) {
                continue;
            }
            try {
                if (method.getName().equals("errorCode") && method.getReturnType() == short.class) {
                    errorCode = lookup.unreflect(method);
                } else if (Message.class.isAssignableFrom(method.getReturnType())
                        || holdsMessages(method.getGenericReturnType())) {
                    children.add(lookup.unreflect(method));
                }
            } catch (IllegalAccessException e) {
                // not public after all: not part of the message's shape
            }
        }
        return new Shape(errorCode, List.copyOf(children));
    }

    /** Whether {@code type} is a collection of messages: {@code List<Struct>} or a generated collection class. */
    private static boolean holdsMessages(Type type) {
        if (type instanceof ParameterizedType parameterized) {
            return parameterized.getRawType() instanceof Class<?> raw
                    && Collection.class.isAssignableFrom(raw)
                    && parameterized.getActualTypeArguments().length == 1
                    && parameterized.getActualTypeArguments()[0] instanceof Class<?> element
                    && Message.class.isAssignableFrom(element);
        }
        if (type instanceof Class<?> raw && Collection.class.isAssignableFrom(raw)) {
            // e.g. TopicProduceResponseCollection extends ImplicitLinkedHashMultiCollection<TopicProduceResponse>
            for (Class<?> c = raw; c != null && c != Object.class; c = c.getSuperclass()) {
                if (holdsMessages(c.getGenericSuperclass())) {
                    return true;
                }
            }
        }
        return false;
    }
}
