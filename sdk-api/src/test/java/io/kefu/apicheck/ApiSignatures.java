package io.kefu.apicheck;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The public signatures of compiled classes, read with plain reflection: one line for each public or
 * protected type, each of its supertypes, and each of its public or protected constructors, methods
 * and fields, with types erased (as the JVM links them). Every line starts with the type's binary
 * name, for example:
 * <pre>
 * io.kefu.KefuException: public class
 * io.kefu.KefuException: supertype java.lang.RuntimeException
 * io.kefu.KefuException: public &lt;init&gt;(io.kefu.ErrorCode, java.lang.String)
 * io.kefu.KefuException: public io.kefu.ErrorCode code()
 * </pre>
 * Supertypes are listed transitively, so a type that gains an intermediate interface keeps its lines.
 */
final class ApiSignatures {

    private ApiSignatures() {}

    /** @return the signatures of every API type in a class folder or jar, sorted */
    static SortedSet<String> ofClassesIn(Path classesOrJar, ClassLoader loader) {
        if (Files.isDirectory(classesOrJar)) {
            return ofClassFiles(classesOrJar, loader);
        }
        try (FileSystem jar = FileSystems.newFileSystem(classesOrJar)) {
            return ofClassFiles(jar.getPath("/"), loader);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static SortedSet<String> ofClassFiles(Path root, ClassLoader loader) {
        SortedSet<String> lines = new TreeSet<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                String relative = root.relativize(file).toString().replace('\\', '/');
                String name = relative.substring(0, relative.length() - ".class".length()).replace('/', '.');
                if (name.endsWith("package-info") || name.endsWith("module-info")) {
                    continue;
                }
                Class<?> type = Class.forName(name, false, loader);
                if (isApi(type)) {
                    lines.addAll(of(type));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("a class file that its class loader cannot load: " + e.getMessage(), e);
        }
        return lines;
    }

    /** @return whether a user can see the type: public or protected, inside types that are too */
    static boolean isApi(Class<?> type) {
        if (type.isAnonymousClass() || type.isLocalClass() || type.isSynthetic() || !visible(type.getModifiers())) {
            return false;
        }
        return type.getEnclosingClass() == null || isApi(type.getEnclosingClass());
    }

    /** @return the lines of one type (whether or not it is visible) */
    static List<String> of(Class<?> type) {
        String prefix = type.getName() + ": ";
        List<String> lines = new ArrayList<>();
        lines.add(prefix + typeModifiers(type) + kind(type));
        for (Class<?> supertype : supertypes(type)) {
            lines.add(prefix + "supertype " + supertype.getTypeName());
        }
        for (Constructor<?> c : type.getDeclaredConstructors()) {
            if (visible(c.getModifiers()) && !c.isSynthetic()) {
                lines.add(prefix + memberModifiers(c.getModifiers()) + "<init>(" + names(c.getParameterTypes()) + ")");
            }
        }
        for (Method m : type.getDeclaredMethods()) {
            if (visible(m.getModifiers()) && !m.isSynthetic() && !m.isBridge()) {
                lines.add(prefix + memberModifiers(m.getModifiers()) + m.getReturnType().getTypeName() + " "
                        + m.getName() + "(" + names(m.getParameterTypes()) + ")");
            }
        }
        for (Field f : type.getDeclaredFields()) {
            if (visible(f.getModifiers()) && !f.isSynthetic()) {
                lines.add(prefix + memberModifiers(f.getModifiers()) + f.getType().getTypeName() + " " + f.getName());
            }
        }
        return lines;
    }

    private static boolean visible(int modifiers) {
        return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
    }

    private static String kind(Class<?> type) {
        if (type.isAnnotation()) {
            return "@interface";
        } else if (type.isInterface()) {
            return "interface";
        } else if (type.isEnum()) {
            return "enum";
        } else if (type.isRecord()) {
            return "record";
        }
        return "class";
    }

    /** Visibility, static, and for plain classes abstract and final (implied for the other kinds); sealed. */
    private static String typeModifiers(Class<?> type) {
        int m = type.getModifiers();
        StringBuilder s = new StringBuilder(Modifier.isPublic(m) ? "public " : "protected ");
        if (Modifier.isStatic(m)) {
            s.append("static ");
        }
        boolean plainClass = !type.isInterface() && !type.isEnum() && !type.isRecord();
        if (plainClass && Modifier.isAbstract(m)) {
            s.append("abstract ");
        }
        if (plainClass && Modifier.isFinal(m)) {
            s.append("final ");
        }
        if (type.isSealed()) {
            s.append("sealed ");
        }
        return s.toString();
    }

    /** Visibility, static, abstract and final: what a caller, subclass or implementer depends on. */
    private static String memberModifiers(int m) {
        StringBuilder s = new StringBuilder(Modifier.isPublic(m) ? "public " : "protected ");
        if (Modifier.isStatic(m)) {
            s.append("static ");
        }
        if (Modifier.isAbstract(m)) {
            s.append("abstract ");
        }
        if (Modifier.isFinal(m)) {
            s.append("final ");
        }
        return s.toString();
    }

    /** Every superclass and interface, transitively, without java.lang.Object, in a stable order. */
    private static Set<Class<?>> supertypes(Class<?> type) {
        Set<Class<?>> all = new LinkedHashSet<>();
        List<Class<?>> next = new ArrayList<>();
        if (type.getSuperclass() != null) {
            next.add(type.getSuperclass());
        }
        next.addAll(Arrays.asList(type.getInterfaces()));
        while (!next.isEmpty()) {
            Class<?> t = next.remove(0);
            if (t != Object.class && all.add(t)) {
                if (t.getSuperclass() != null) {
                    next.add(t.getSuperclass());
                }
                next.addAll(Arrays.asList(t.getInterfaces()));
            }
        }
        return all;
    }

    private static String names(Class<?>[] types) {
        return Arrays.stream(types).map(Class::getTypeName).collect(Collectors.joining(", "));
    }
}
