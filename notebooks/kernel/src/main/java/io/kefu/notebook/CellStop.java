package io.kefu.notebook;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Stops a running cell cooperatively, on every JDK: {@code Thread.stop} throws
 * {@code UnsupportedOperationException} since Java 20.
 *
 * <p>Every class a cell defines is woven with a call to {@link #check()} at the start of each
 * method and before each backward jump (every loop iteration), as the JDK's own
 * {@code jdk.jshell.execution.LocalExecutionControl} does from Java 21 on. Stopping a cell marks
 * its thread and interrupts it: blocking calls ({@code sleep}, {@code wait}, I/O on interruptible
 * channels) and library code that honours interrupts end at once, and the cell's own code throws
 * {@link Stopped} at its next check, even in a busy loop. A library call that neither blocks
 * nor checks interrupts runs to its end first.
 *
 * <p>Public only because woven cell classes, loaded by JShell's class loader, call {@link #check()}.
 */
public final class CellStop {
    private static final String OWNER = CellStop.class.getName().replace('.', '/');
    /** Cell threads whose stop was requested; cleared when their cell ends. */
    private static final Set<Thread> STOPPING = ConcurrentHashMap.newKeySet();

    private CellStop() {
    }

    /** Thrown in a cell that was asked to stop. An {@code Error}, so {@code catch (Exception e)} in a cell does not swallow it. */
    public static final class Stopped extends Error {
        private static final long serialVersionUID = 1L;

        Stopped() {
            super("the cell was stopped", null, false, false);
        }
    }

    /** Called by woven cell code: throws {@link Stopped} if this thread's cell was asked to stop. */
    public static void check() {
        if (!STOPPING.isEmpty() && STOPPING.contains(Thread.currentThread())) {
            throw new Stopped();
        }
    }

    /** Asks the cell running on {@code thread} to stop: marks it for {@link #check()} and interrupts it. */
    static void request(Thread thread) {
        STOPPING.add(thread);
        thread.interrupt();
    }

    /** Forgets a stop request once the cell it was meant for has ended. */
    static void clear(Thread thread) {
        STOPPING.remove(thread);
    }

    /**
     * The class file with stop checks woven in, or the class file unchanged if it cannot be read
     * (a class file version newer than this ASM knows): such a cell can then only be interrupted.
     */
    static byte[] weave(byte[] classFile) {
        ClassReader reader;
        try {
            reader = new ClassReader(classFile);
        } catch (IllegalArgumentException e) {
            return classFile;
        }
        ClassWriter writer = new ClassWriter(reader, 0); // a static call with no arguments needs no stack and changes no frame
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                return new StopCheckWeaver(super.visitMethod(access, name, descriptor, signature, exceptions));
            }
        }, 0);
        return writer.toByteArray();
    }

    /** Inserts {@code CellStop.check()} at the start of a method and before every jump to a label already seen. */
    private static final class StopCheckWeaver extends MethodVisitor {
        private final Set<Label> seen = new HashSet<>();

        StopCheckWeaver(MethodVisitor next) {
            super(Opcodes.ASM9, next);
        }

        @Override
        public void visitCode() {
            super.visitCode();
            stopCheck();
        }

        @Override
        public void visitLabel(Label label) {
            seen.add(label);
            super.visitLabel(label);
        }

        @Override
        public void visitJumpInsn(int opcode, Label label) {
            if (seen.contains(label)) {
                stopCheck();
            }
            super.visitJumpInsn(opcode, label);
        }

        private void stopCheck() {
            super.visitMethodInsn(Opcodes.INVOKESTATIC, OWNER, "check", "()V", false);
        }
    }
}
