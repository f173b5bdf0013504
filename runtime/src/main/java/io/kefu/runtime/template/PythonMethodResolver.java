package io.kefu.runtime.template;

import java.beans.FeatureDescriptor;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

/**
 * Gives template values the Python behaviour chat templates rely on: Python {@code str}
 * methods ({@link PythonStrings}) and slices ({@link PythonSlice}). Everything else falls through
 * to Jinjava's own resolvers.
 */
final class PythonMethodResolver extends ELResolver {
    @Override
    public Object getValue(ELContext context, Object base, Object property) {
        PythonSlice slice = PythonSlice.parse(property);
        if (slice == null || base == null) {
            return null;
        }
        Object result;
        if (base instanceof String s) {
            result = slice.apply(s);
        } else if (base instanceof List<?> list) {
            result = slice.apply(list);
        } else {
            throw new IllegalArgumentException("cannot slice " + base.getClass().getSimpleName());
        }
        context.setPropertyResolved(true);
        return result;
    }

    @Override
    public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
        if (base instanceof String s && method != null) {
            Optional<Object> result = PythonStrings.call(s, method.toString(), params == null ? new Object[0] : params);
            if (result.isPresent()) {
                context.setPropertyResolved(true);
                return result.get();
            }
        }
        return null;
    }

    @Override
    public Class<?> getType(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public void setValue(ELContext context, Object base, Object property, Object value) {
        // read-only: assignments fall through to Jinjava's resolvers
    }

    @Override
    public boolean isReadOnly(ELContext context, Object base, Object property) {
        return true;
    }

    @Override
    public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
        return null;
    }

    @Override
    public Class<?> getCommonPropertyType(ELContext context, Object base) {
        return null;
    }
}
