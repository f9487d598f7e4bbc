#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A bounded queue of event batches from one producing thread (libyaml) to one consuming
/// thread (the tree builder), for `YAMLParser.parsePipelined`.
///
/// Consumed batches go back to the producer (`recycle`, `spare`), so that after the first
/// few the pipeline allocates nothing per batch.
///
/// Locking: every stored `var` (`batches`, `spares`, `sent`, `cancelled`, `finished`) is
/// read and written only while `mutex` is held, which is what makes the `@unchecked Sendable`
/// true. The batches themselves are values (`EventBatch`, Sendable) that change hands under
/// the lock: the producer gives a batch up when it sends it, the consumer owns it once received.
/// Waiting is on two condition variables of that mutex: the producer on `notFull`, the
/// consumer on `notEmpty`.
final class EventChannel: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let notFull: UnsafeMutablePointer<pthread_cond_t>
    private let notEmpty: UnsafeMutablePointer<pthread_cond_t>
    private let capacity: Int
    private var batches: [EventBatch] = []
    /// Emptied batches, kept for the producer to fill again.
    private var spares: [EventBatch] = []
    /// Batches accepted by `send`, for tests that check a cancelled producer stops early.
    private var sent = 0
    /// The consumer stopped listening: sending fails from now on.
    private var cancelled = false
    /// The producer sent its last batch.
    private var finished = false

    /// `capacity` batches at most wait in the queue; a producer that gets that far ahead waits.
    init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
        mutex = .allocate(capacity: 1)
        notFull = .allocate(capacity: 1)
        notEmpty = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(notFull, nil)
        pthread_cond_init(notEmpty, nil)
        batches.reserveCapacity(capacity)
        spares.reserveCapacity(capacity)
    }

    deinit {
        pthread_cond_destroy(notEmpty)
        pthread_cond_destroy(notFull)
        pthread_mutex_destroy(mutex)
        notEmpty.deallocate()
        notFull.deallocate()
        mutex.deallocate()
    }

    /// Producer: queues `batch`, waiting while the queue is full. False when the consumer
    /// has cancelled (the batch is dropped): the producer should stop.
    func send(_ batch: consuming EventBatch) -> Bool {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while batches.count >= capacity && !cancelled {
            pthread_cond_wait(notFull, mutex)
        }
        if cancelled { return false }
        batches.append(batch)
        sent += 1
        pthread_cond_signal(notEmpty)
        return true
    }

    /// Producer: nothing more will be sent.
    func finish() {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        finished = true
        pthread_cond_signal(notEmpty)
    }

    /// Consumer: the next batch in the order sent, waiting while there is none; nil once
    /// the producer has finished and every batch has been received.
    func receive() -> EventBatch? {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while batches.isEmpty && !finished {
            pthread_cond_wait(notEmpty, mutex)
        }
        if batches.isEmpty { return nil }
        let batch = batches.removeFirst()
        pthread_cond_signal(notFull)
        return batch
    }

    /// Consumer: hands back a batch it is done with, for the producer to reuse.
    func recycle(_ batch: consuming EventBatch) {
        var batch = batch
        batch.removeAll()
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        if spares.count < capacity && !cancelled { spares.append(batch) }
    }

    /// Producer: an emptied batch to fill, if the consumer has handed one back.
    func spare() -> EventBatch? {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return spares.popLast()
    }

    /// Consumer: stops listening. A producer waiting in `send` wakes and is told to stop;
    /// batches still queued are released.
    func cancel() {
        pthread_mutex_lock(mutex)
        cancelled = true
        let dropped = (batches, spares)
        batches = []
        spares = []
        pthread_cond_signal(notFull)
        pthread_mutex_unlock(mutex)
        withExtendedLifetime(dropped) {}  // released outside the lock
    }

    /// How many batches `send` has accepted so far.
    var batchesSent: Int {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return sent
    }
}

/// The producing side of the pipeline: runs libyaml over `buffer` on a thread of its own
/// and sends `EventBatch`es of `batchSize` events, the last one ending with the end of the
/// stream or a failure, then finishes the channel. It stops early when the channel is cancelled.
///
/// Not Sendable, and it needs not be: `start()` hands the object itself over to the new
/// thread (through an opaque pointer), and the calling thread keeps only the channel and
/// the thread to join. The buffer it reads belongs to the caller of `parsePipelined`, which
/// joins the thread before returning, so the memory outlives every read. libyaml's parser
/// is created, used and deleted on the producer thread alone.
final class EventProducer {
    private let buffer: UnsafeRawBufferPointer
    private let file: String
    private let channel: EventChannel
    private let batchSize: Int

    init(buffer: UnsafeRawBufferPointer, file: String, channel: EventChannel, batchSize: Int) {
        precondition(batchSize > 0)
        self.buffer = buffer
        self.file = file
        self.channel = channel
        self.batchSize = batchSize
    }

    /// Starts the thread. Nil if the system refuses one (the caller parses serially instead).
    func start() -> ProducerThread? {
        let context = Unmanaged.passRetained(self).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        // libyaml keeps its own stacks on the heap; this thread never recurses deeply.
        pthread_attr_setstacksize(&attributes, 1 << 20)
        #if canImport(Darwin)
        var thread: pthread_t?
        #else
        var thread = pthread_t()
        #endif
        let status = pthread_create(&thread, &attributes, { context in
            let raw: UnsafeMutableRawPointer? = context
            Unmanaged<EventProducer>.fromOpaque(raw!).takeRetainedValue().run()
            return nil
        }, context)
        guard status == 0 else {
            Unmanaged<EventProducer>.fromOpaque(context).release()
            return nil
        }
        #if canImport(Darwin)
        return ProducerThread(thread: thread!)
        #else
        return ProducerThread(thread: thread)
        #endif
    }

    private func run() {
        defer { channel.finish() }
        let reader: EventReader
        do {
            reader = try EventReader(buffer, file: file)
        } catch {
            _ = channel.send(EventBatch(failure: error))
            return
        }
        while true {
            var batch = channel.spare() ?? EventBatch(reserving: batchSize)
            let more = reader.fill(&batch, limit: batchSize)
            guard channel.send(batch), more else { return }
        }
    }
}

/// A started producer thread, to be joined exactly once.
struct ProducerThread {
    let thread: pthread_t

    /// Waits until the thread has ended.
    func join() {
        pthread_join(thread, nil)
    }
}
